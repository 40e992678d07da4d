/**
 * Identity proofing verifications per second on one core (issue #4: goal ≥ 1,000/s, CRL cached):
 * the JPKI library in this process, on a development-CA signature certificate, its signature over
 * a fresh challenge, and a cached CRL of 10,000 revoked entries. Every verification does the whole
 * of JPKI.md §4 that a request does: strict DER parsing, profile, RSA signature over the challenge,
 * chain to the anchor, validity, basic-four extraction and the CRL lookup.
 *
 * One core: verification is synchronous crypto on the main thread (the CRL lookup is an in-memory
 * map), run one after another; the figure is verifications per CPU-second of the whole process
 * (GC threads included), so it holds even when the machine is busy, and never credits a second core.
 */
import { randomBytes } from 'node:crypto';
import type { BenchContext, Scenario, ScenarioResult } from '../types.ts';
import { measureRate, percentile } from '../lib/cpu-rate.ts';
import { DevJpkiCa, generateRsaKeyPair } from '../../src/jpki/dev-ca.ts';
import { ApduChannel } from '../../src/card/apdu-channel.ts';
import { readSignatureProof } from '../../src/card/jpki-proofs.ts';
import { simulatedJpkiCard } from '../../src/card/simulator/jpki-card.ts';
import type { SimulatedCard } from '../../src/card/simulator/simulated-card.ts';
import { CachingCrlProvider, CrlRevocationChecker, createChallenge, createJpkiVerifier, parseTrustAnchors } from '../../src/jpki/index.ts';
import type { JpkiVerifier } from '../../src/jpki/index.ts';
import { parseCertificate } from '../../src/jpki/certificate.ts';

const GOAL_PER_SECOND = 1000;
const CRL_ENTRIES = 10_000;
const PIN = 'BENCH2026';

interface Proof {
  certificate: Uint8Array;
  signature: Uint8Array;
  challenge: Uint8Array;
}

async function cardProof(card: SimulatedCard, challenge: Uint8Array): Promise<{ certificate: Uint8Array; signature: Uint8Array }> {
  return (await readSignatureProof(new ApduChannel(card), { password: PIN, challenge })).signature;
}

async function setUp(ctx: BenchContext): Promise<{ verifier: JpkiVerifier; proofs: Proof[]; revoked: Proof }> {
  const started = performance.now();
  const ca = DevJpkiCa.create({ kind: 'signature', now: new Date(Date.now() - 86_400_000) });
  const residents = [
    { name: '加賀　太郎', birthdate: '1980-02-17', sex: '1' as const, address: '石川県加賀市作見町ル２５番地１', prefecture: 'Ishikawa-ken', municipality: 'Kaga-shi' },
    { name: '坂井　一郎', birthdate: '1955-11-23', sex: '1' as const, address: '福井県坂井市坂井町上新庄１８－２', prefecture: 'Fukui-ken', municipality: 'Sakai-shi' },
  ];
  const cards = residents.map((facts) => {
    const key = generateRsaKeyPair();
    const certificateDer = ca.issueSignatureCertificate(facts, { publicKey: key.publicKey });
    return { certificateDer, card: simulatedJpkiCard({ signature: { certificate: certificateDer, pin: PIN, sign: key.privateKey } }) };
  });
  // 10,000 revoked serials, the second card's among them: the lookup runs against a full-size CRL.
  const base = BigInt(`0x${randomBytes(8).toString('hex')}`);
  const lost = parseCertificate(cards[1]!.certificateDer).serialNumber;
  const crl = ca.issueCrl({
    revoked: Array.from({ length: CRL_ENTRIES }, (_, i) => ({ serialNumber: i === CRL_ENTRIES / 2 ? lost : base + BigInt(i + 1) })),
    thisUpdate: new Date(Date.now() - 60_000),
  });
  const anchors = parseTrustAnchors([{ source: 'bench-dev-sign', data: ca.certificateDer }]);
  const provider = new CachingCrlProvider({ sources: [{ kind: 'bytes', name: 'bench.crl', data: crl }], issuers: anchors.map((a) => a.certificate) });
  const verifier = createJpkiVerifier({
    trustAnchors: anchors,
    revocation: new CrlRevocationChecker({ provider, maxCrlAgeMs: 48 * 3600_000 }),
    allowTestPolicies: true,
  });
  // A pool of distinct challenges, each signed by the (simulated) card over APDUs, as a reader sends it.
  const proofs: Proof[] = [];
  for (let i = 0; i < (ctx.quick ? 64 : 256); i++) {
    const challenge = createChallenge({ purpose: 'identity_proofing', client: 'pass-app', account: `bench-${i}`, issuedAt: new Date() });
    proofs.push({ ...(await cardProof(cards[0]!.card, challenge)), challenge });
  }
  const challenge = createChallenge({ purpose: 'identity_proofing', client: 'pass-app', account: 'bench-other', issuedAt: new Date() });
  const revoked = { ...(await cardProof(cards[1]!.card, challenge)), challenge };
  ctx.log(`set-up (CA, keys, CRL of ${CRL_ENTRIES.toLocaleString('en')} entries, ${crl.length.toLocaleString('en')} bytes) in ${Math.round(performance.now() - started)} ms`);
  return { verifier, proofs, revoked };
}

const scenario: Scenario = {
  name: 'jpki-verify',
  description: 'identity proofing: JPKI signature + certificate verifications per second on one core, CRL (10k entries) cached',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const { verifier, proofs, revoked } = await setUp(ctx);
    // Warm-up: loads the CRL into the cache, JIT-compiles the path; the first answer must be good.
    const first = await verifier.verifySignatureProof(proofs[0]!);
    if (first.revocation.status !== 'good' || first.revocation.method !== 'crl') throw new Error('warm-up verification did not check the CRL');
    // The lost card (on the CRL) must be refused, or the figure would not include a real lookup.
    const other = await verifier.verifySignatureProof(revoked).then(() => 'accepted', (e: { reason?: string }) => e.reason);
    if (other !== 'certificate_revoked') throw new Error(`a revoked certificate was not refused as revoked: ${other}`);
    for (let i = 0; i < 200; i++) await verifier.verifySignatureProof(proofs[i % proofs.length]!);

    const median = await measureRate(ctx, 'verifySignatureProof', (n) => verifier.verifySignatureProof(proofs[n % proofs.length]!));
    return {
      name: 'jpki-verify',
      measurements: [
        { label: 'verifySignatureProof, one core (per CPU-second)', throughput: median.perCpuSecond, p50Ms: percentile(median.latencies, 50), p99Ms: percentile(median.latencies, 99), cpuMsPerOp: 1000 / median.perCpuSecond },
        { label: 'verifySignatureProof, sequential (per wall-second)', throughput: median.perWallSecond },
      ],
      ratios: [{ label: `verifications per core-second / ${GOAL_PER_SECOND.toLocaleString('en')}`, value: median.perCpuSecond / GOAL_PER_SECOND, goal: 1, higherIsBetter: true }],
      notes: [
        `RSA-2048 PKCS#1 v1.5 SHA-256 leaf signature over a ${proofs[0]!.challenge.length}-byte challenge, chain of 1 to a development anchor, CRL of ${CRL_ENTRIES.toLocaleString('en')} entries cached in memory`,
        `a certificate on that CRL is refused: ${other}`,
        'per CPU-second counts all the process\'s threads (GC included), so it never credits more than the core it ran on',
      ],
    };
  },
};

export default scenario;
