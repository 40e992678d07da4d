/**
 * Offline presentation verifications per second on one core (issue #19: goal ≥ 1,000/s): the
 * SD-JWT core's verifier in this process, on an age credential presentation (one disclosure,
 * `age_over_65`, with a key-binding JWT), the issuer's keys and a status list of 100,000 entries
 * held as a kiosk holds them offline. Every verification does all a kiosk does: split and shape,
 * the issuer's ES256 signature, time, vct, the disclosure's digest, the holder's key import and its
 * ES256 key binding with sd_hash, and the status bit (the list verified and inflated once, as the
 * kiosk keeps it between presentations).
 *
 * `measureWalletVerification(ctx)` is what `npm run bench -- wallet` runs beside issuance and ID
 * token signing; `node bench/wallet/verify.ts [seconds]` runs it alone. The figure is per
 * CPU-second of the whole process (WebCrypto's worker threads and GC included), so it never credits
 * a second core.
 */
import { fileURLToPath } from 'node:url';
import type { BenchContext, Measurement } from '../types.ts';
import { measureRate, percentile } from '../lib/cpu-rate.ts';
import { presentCredential, verifyPresentation, type PresentationPolicy } from '../../src/wallet/sd-jwt/index.ts';
import { issueCredential, makeHolder, makeIssuer, newNonce, policyFor, statusListToken, VERIFIER } from '../../test/wallet/sd-jwt/fixtures.ts';

export const VERIFY_GOAL_PER_SECOND = 1000;
const STATUS_ENTRIES = 100_000;

export interface WalletVerifyResult {
  measurements: Measurement[];
  ratios: Array<{ label: string; value: number; goal?: number; higherIsBetter?: boolean }>;
  notes: string[];
}

type Context = Pick<BenchContext, 'durationSeconds' | 'rounds' | 'quick' | 'log'>;


async function setUp(ctx: Context): Promise<{ cases: Array<{ presentation: string; policy: PresentationPolicy }>; revoked: { presentation: string; policy: PresentationPolicy } }> {
  const started = performance.now();
  const issuer = makeIssuer();
  const token = await statusListToken(issuer, { size: STATUS_ENTRIES, revoked: [4242] });
  const fetchedAt = new Date();
  const residents = ctx.quick ? 16 : 128;
  const cases: Array<{ presentation: string; policy: PresentationPolicy }> = [];
  const presentOne = async (idx: number) => {
    const holder = await makeHolder();
    const credential = await issueCredential(issuer, 'age', { holder: holder.publicJwk, idx });
    const nonce = newNonce();
    const presentation = await presentCredential(credential, { disclose: ['age_over_65'], aud: VERIFIER, nonce, key: holder.key, now: new Date() });
    const policy = policyFor(issuer, nonce, token, { lists: { [`${issuer.issuer}/wallet/status-lists/1`]: { token, fetchedAt } }, maxStatusListAgeSeconds: 86_400 });
    // The key bindings are made before measuring; a long run must not see them go stale.
    return { presentation, policy: { ...policy, maxKeyBindingAgeSeconds: 86_400 } };
  };
  for (let i = 0; i < residents; i++) cases.push(await presentOne(i * 7));
  const revoked = await presentOne(4242);
  ctx.log(`set-up (${residents} residents' age credentials and presentations, a status list of ${STATUS_ENTRIES.toLocaleString('en')} entries) in ${Math.round(performance.now() - started)} ms`);
  return { cases, revoked };
}

export async function measureWalletVerification(ctx: Context): Promise<WalletVerifyResult> {
  const { cases, revoked } = await setUp(ctx);
  const first = await verifyPresentation(cases[0]!.presentation, { ...cases[0]!.policy, now: new Date() });
  if (first.claims.age_over_65 !== false || Object.keys(first.claims).length !== 1) throw new Error('warm-up verification did not disclose exactly age_over_65');
  const other = await verifyPresentation(revoked.presentation, { ...revoked.policy, now: new Date() }).then(() => 'accepted', (e: { reason?: string }) => e.reason);
  if (other !== 'credential_revoked') throw new Error(`a revoked credential was not refused as revoked: ${other}`);
  for (let i = 0; i < 300; i++) await verifyPresentation(cases[i % cases.length]!.presentation, { ...cases[i % cases.length]!.policy, now: new Date() });

  const median = await measureRate(ctx, 'verification', (n) => {
    const one = cases[n % cases.length]!;
    return verifyPresentation(one.presentation, { ...one.policy, now: new Date() });
  });
  return {
    measurements: [
      { label: 'offline presentation verification, one core (per CPU-second)', throughput: median.perCpuSecond, p50Ms: percentile(median.latencies, 50), p99Ms: percentile(median.latencies, 99), cpuMsPerOp: 1000 / median.perCpuSecond },
      { label: 'offline presentation verification, sequential (per wall-second)', throughput: median.perWallSecond },
    ],
    ratios: [{ label: `presentation verifications per core-second / ${VERIFY_GOAL_PER_SECOND.toLocaleString('en')}`, value: median.perCpuSecond / VERIFY_GOAL_PER_SECOND, goal: 1, higherIsBetter: true }],
    notes: [
      `age credential (12 age_over_N disclosable), 1 disclosure presented, ES256 issuer signature and key binding, status list of ${STATUS_ENTRIES.toLocaleString('en')} entries held offline`,
      `a credential whose status bit is set is refused: ${other}`,
      "per CPU-second counts all the process's threads (WebCrypto's and GC's), so it never credits more than the core it ran on",
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 5);
  const result = await measureWalletVerification({ durationSeconds: seconds, rounds: 3, quick: false, log: (line) => console.log(`  ${line}`) });
  for (const m of result.measurements) console.log(`${m.label}: ${m.throughput.toFixed(0)}/s${m.p50Ms !== undefined ? ` (p50 ${m.p50Ms.toFixed(2)} ms, p99 ${m.p99Ms!.toFixed(2)} ms)` : ''}`);
  for (const r of result.ratios) console.log(`${r.label}: ${r.value.toFixed(2)} (goal ${r.goal})`);
  for (const note of result.notes) console.log(`  note: ${note}`);
}
