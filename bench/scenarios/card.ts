/**
 * A kiosk card check-in, end to end (issue 16; goal ≤ 1.5 s p95), through the real reader stack and
 * through the simulator directly, alternating, with the card's time set to a real card's
 * (REAL_CARD_TIMING, docs/card.md "Timing"): the difference is the reader stack's cost.
 *
 * One check-in is what the kiosk does once the resident has typed the PIN: PASS's challenge, the
 * card's sequence (readAuthenticationProof: select, tries left, VERIFY, the certificate, the
 * signature), then the check-in recorded by PASS while the card is released (reset) alongside. The tries-left read the
 * page makes when the card is placed (before the PIN pad) is measured apart. The kiosk is Node here
 * (TestKiosk's DPoP and the page's own BridgeTransport), PASS runs in this process on PostgreSQL and
 * Redis, the card is a demo resident's development card, and the PC/SC path is the bridge on
 * loopback → pcsclite → pcscd → vpcd → the simulator.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { BenchContext, Measurement, Scenario, ScenarioResult } from '../types.ts';
import { ApduChannel, JpkiAp, readAuthenticationProof, type CardTransport } from '../../src/card/index.ts';
import { createBridgeServer } from '../../src/card/bridge/bridge-server.ts';
import { BridgeTransport, pairWithBridge, requestPairingNonce } from '../../src/card/bridge/bridge-transport.ts';
import { BridgeCardSession } from '../../src/card/bridge/card-session.ts';
import { loadBridgeConfig } from '../../src/card/bridge/config.ts';
import { Pairing } from '../../src/card/bridge/pairing.ts';
import { passAssertionVerifier } from '../../src/card/bridge/pass-verifier.ts';
import { PcscReaders } from '../../src/card/pcsc/pcsc-transport.ts';
import { REAL_CARD_TIMING, TimedCard } from '../../src/card/simulator/card-timing.ts';
import { VpcdSlot } from '../../src/card/simulator/vpcd-card.ts';
import { createDatabase, migrate } from '../../src/db/database.ts';
import { configFor, startPass } from '../../test/helpers/pass.ts';
import { provisionKiosk, runtime, staffAccount, withFacilities, type Pass, type TestKiosk } from '../../test/kiosk/helpers.ts';
import { demoCard, proofedResident, register } from '../../test/kiosk/fixtures.ts';
import { simulatedDemoCard } from '../../src/kiosk/dev-card-bridge.ts';
import { holdSlot, pcscStackAvailable, pullCard, putCard, VIRTUAL_READER } from '../../test/card/pcsc/pcsc-stack.ts';

const GOAL_P95_MS = 1500;
const FACILITY = 'kaga-niconico-park';
const STAFF = 'staff@bench-card.example.jp';
const PIN = '1234';

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Throughput here is one kiosk's, one check-in after another: 1 / mean time. */
function measurement(label: string, samples: number[]): Measurement & { p95Ms: number; count: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  return { label, throughput: samples.length / (total / 1000), p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), p99Ms: percentile(sorted, 99), count: samples.length };
}

interface Path {
  name: string;
  transport: CardTransport;
  release(): Promise<void>;
  placed: number[];
  checkins: number[];
}

/** The card placed: the page reads the tries left (no try spent) before it shows the PIN pad. */
async function readTries(path: Path): Promise<void> {
  const started = performance.now();
  const status = await (await JpkiAp.select(new ApduChannel(path.transport, { timeoutMs: 10_000 }))).authenticationPinStatus();
  if (status.locked) throw new Error('the bench card is locked');
  path.placed.push(performance.now() - started);
}

/** After the PIN: challenge, the card's proof, release, the check-in recorded. */
async function checkIn(path: Path, kiosk: TestKiosk): Promise<void> {
  const started = performance.now();
  const challenge = await kiosk.call('POST', '/api/kiosk/card/challenges');
  if (challenge.status !== 201) throw new Error(`challenge: ${challenge.status}`);
  const proof = await readAuthenticationProof(new ApduChannel(path.transport, { timeoutMs: 10_000 }), { pin: PIN, challenge: new Uint8Array(Buffer.from(challenge.body.challenge, 'base64')) });
  // As the page does: the card is reset while PASS records the check-in; the result waits for PASS only.
  const releasing = path.release();
  const answer = await kiosk.call('POST', '/api/kiosk/checkins/card', {
    json: { id: randomUUID(), challengeId: challenge.body.challengeId, certificate: Buffer.from(proof.certificate).toString('base64'), signature: Buffer.from(proof.signature).toString('base64') },
  });
  if (answer.body.result !== 'accepted' || answer.body.anonymous) throw new Error(`check-in: ${JSON.stringify(answer.body)}`);
  path.checkins.push(performance.now() - started);
  await releasing;
}

/** The PC/SC stack when this machine has it (.ci/run installs it); undefined, with the reason noted, when not. */
function stackHere(notes: string[]): boolean {
  try {
    return pcscStackAvailable();
  } catch (error) {
    notes.push(`the PC/SC path was not measured: ${(error as Error).message}`);
    return false;
  }
}

const scenario: Scenario = {
  name: 'card',
  description: 'kiosk card check-in end to end: through bridge → pcscd → vpcd → simulator, and the simulator directly, with a real card’s timing; goal p95 ≤ 1.5 s',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const notes: string[] = [];
    const env = { DATABASE_URL: ctx.databaseUrl, REDIS_URL: ctx.redisUrl, LOG_LEVEL: 'warn' };
    const db = createDatabase(configFor(env));
    await migrate(db);
    await db.destroy();
    let pass: Pass | undefined;
    let bridge: http.Server | undefined;
    let readers: PcscReaders | undefined;
    let releaseSlot: (() => void) | undefined;
    const slot = new VpcdSlot({ timing: REAL_CARD_TIMING });
    try {
      pass = await startPass(env);
      await withFacilities(pass);
      await staffAccount(pass, STAFF, 'facility_staff', { facilityId: FACILITY });
      const resident = await proofedResident(pass);
      await register(pass, resident.personId, FACILITY, ['name', 'age']);
      const kiosk = await provisionKiosk(pass, STAFF);
      const card = await demoCard(pass, 'kaga-taro');
      // Its twin for the direct path: pcscd powers an idle card in vpcd off and on, which must not touch a sequence running beside it.
      const twin = await simulatedDemoCard(pass.provided.proofing!.pki.dev!, 'kaga-taro');

      const direct: Path = { name: 'simulator directly', transport: new TimedCard(twin, REAL_CARD_TIMING), release: async () => (twin.remove(), twin.insert()), placed: [], checkins: [] };
      const paths: Path[] = [direct];
      if (stackHere(notes)) {
        releaseSlot = await holdSlot(0);
        readers = PcscReaders.open();
        const origin = new URL(pass.issuer).origin;
        const config = loadBridgeConfig({ CARD_BRIDGE_ORIGIN: origin, CARD_BRIDGE_PORT: '0', CARD_BRIDGE_READER: VIRTUAL_READER, NODE_ENV: 'test' });
        bridge = createBridgeServer({ config, session: new BridgeCardSession(readers, { reader: config.reader }), pairing: new Pairing(passAssertionVerifier(origin)), log: pino({ level: 'warn' }) });
        await new Promise<void>((resolve) => bridge!.listen(0, '127.0.0.1', resolve));
        const base = `http://127.0.0.1:${(bridge.address() as AddressInfo).port}`;
        const fromPage: typeof fetch = (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), Origin: origin } });
        // Connected as staff do it: a code for this kiosk, spent by the kiosk with the bridge's nonce.
        const { code } = await runtime(pass).readers.issue({ id: kiosk.id, facilityId: FACILITY }, (await pass.platform.accounts.findByEmail(STAFF))!.id);
        const answer = await kiosk.call('POST', '/api/kiosk/card-reader/pairing', { json: { code, nonce: await requestPairingNonce(base, fromPage) } });
        const transport = new BridgeTransport({ baseUrl: base, token: await pairWithBridge(base, answer.body.assertion, fromPage), fetch: fromPage });
        await pullCard(slot, readers);
        await putCard(slot, readers, card);
        paths.unshift({ name: 'PC/SC: bridge → pcscd → vpcd → simulator', transport, release: () => transport.release(), placed: [], checkins: [] });
      }

      // Warm-up: JIT, connections, PASS's keys and CRL, pcscd's first connection.
      for (const path of paths) {
        await readTries(path);
        await checkIn(path, kiosk);
        path.placed.length = 0;
        path.checkins.length = 0;
      }
      const perRound = Math.max(3, Math.ceil(ctx.durationSeconds / 1.5));
      for (let round = 0; round < ctx.rounds; round++) {
        for (const path of paths) {
          for (let i = 0; i < perRound; i++) {
            await readTries(path);
            await checkIn(path, kiosk);
          }
        }
        ctx.log(`round ${round + 1}/${ctx.rounds}: ${paths.map((p) => `${p.name} p50 ${measurement('', p.checkins).p50Ms?.toFixed(0)} ms`).join(', ')}`);
      }

      const measurements = paths.flatMap((p) => [measurement(`${p.name}: after the PIN`, p.checkins), measurement(`${p.name}: card placed → PIN pad`, p.placed)]);
      const pcsc = paths.find((p) => p !== direct);
      const e2e = measurement('', (pcsc ?? direct).checkins);
      const ratios: ScenarioResult['ratios'] = [{ label: `p95 after the PIN, ${pcsc ? 'PC/SC' : 'simulator directly'} (ms)`, value: e2e.p95Ms, goal: GOAL_P95_MS, higherIsBetter: false }];
      if (pcsc) {
        ratios.push({ label: 'p95 after the PIN, simulator directly (ms)', value: measurement('', direct.checkins).p95Ms });
        ratios.push({ label: 'p95 reader stack cost: PC/SC − direct (ms)', value: e2e.p95Ms - measurement('', direct.checkins).p95Ms });
        ratios.push({ label: 'p95 card placed + after the PIN, PC/SC (ms)', value: measurement('', pcsc.checkins.map((ms, i) => ms + (pcsc.placed[i] ?? 0))).p95Ms });
      }
      for (const m of measurements) notes.push(`${m.label}: p95 ${m.p95Ms.toFixed(0)} ms over ${m.count} check-ins`);
      notes.push(`card timing: ${REAL_CARD_TIMING.perApduMs} ms an exchange, ${REAL_CARD_TIMING.perResponseByteMs} ms a response byte, ${REAL_CARD_TIMING.signatureMs} ms a signature (docs/card.md, "Timing")`);
      return { name: 'card', measurements, ratios, notes };
    } finally {
      await slot.remove();
      bridge?.closeAllConnections();
      if (bridge) await new Promise((resolve) => bridge!.close(resolve));
      await readers?.close();
      await pass?.close();
      releaseSlot?.();
    }
  },
};

export default scenario;
