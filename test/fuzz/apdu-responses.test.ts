// Hostile card responses to the card library (src/card): a simulated My Number Card behind a
// transport that corrupts its answers — bit flips, cut or padded data, other status words (61 xx
// and 6C xx loops, 63 Cx, 69 8x, 6A 82, 62 82), floods, nothing at all, a rejected or never
// answered transmit — while the kiosk's card sessions run (JPKI proofs, the text AP, the 券面AP).
// Every session either completes or ends in the library's typed CardError, quickly; and the pure
// parsers (response APDUs, BER-TLV, the surface record) throw nothing but CardError on mutated bytes.
import { ApduChannel, CardError, CARD_REASONS, JpkiAp, parseResponse, readAuthenticationProof, readSignatureProof, readSurfaceWithCodeB, readSurfaceWithTextPin, readTextApProof, TextAp } from '../../src/card/index.ts';
import { readRecord, readTlvs } from '../../src/card/ber-tlv.ts';
import { readFile } from '../../src/card/file-reading.ts';
import { selectFile } from '../../src/card/iso-commands.ts';
import { JPKI_EF } from '../../src/card/jpki-ap.ts';
import { SURFACE_AP_EF, SurfaceAp } from '../../src/card/surface-ap.ts';
import { parseSurfaceRecord, SURFACE_TAG } from '../../src/card/surface-record.ts';
import { TEXT_AP_EF } from '../../src/card/text-ap.ts';
import type { CardTransport } from '../../src/card/transport.ts';
import { AUTHENTICATION_PIN_TRIES, SIGNATURE_PASSWORD_TRIES, TEXT_AP_PIN_TRIES, type IssuedSimulatedCard } from '../../src/card/simulator/index.ts';
import { challenge, createPki, issueCard } from '../card/card-fixtures.ts';
import { fail, fuzz, fuzzPlan, within, type CaseLog, type Rng } from './fuzz-kit.ts';
import { bitFlip, deleteBytes, insertBytes, interestingByte, mutate, truncate, type Mutator } from './mutate-bytes.ts';

const sessionPlan = fuzzPlan('pass-apdu-1', 1000);
const parserPlan = fuzzPlan('pass-apdu-parsers-1', 10000);
/** The channel's own per-exchange limit in these runs: a card that never answers costs this much. */
const EXCHANGE_TIMEOUT_MS = 30;
/** A session is a few dozen exchanges; far longer than this is a loop the library failed to bound. */
const SESSION_LIMIT_MS = 5_000;

let issued: IssuedSimulatedCard;

beforeAll(async () => {
  issued = await issueCard(createPki());
}, 60_000);

type Session = { name: string; run: (channel: ApduChannel) => Promise<unknown> };

const SESSIONS: Session[] = [
  { name: 'authentication proof', run: (c) => readAuthenticationProof(c, { pin: issued.authenticationPin, challenge: challenge() }) },
  { name: 'signature proof + authentication', run: (c) => readSignatureProof(c, { password: issued.signaturePassword, challenge: challenge(), authenticationPin: issued.authenticationPin }) },
  { name: 'text AP proof', run: (c) => readTextApProof(c, { pin: issued.textApPin, challenge: challenge('text') }) },
  { name: 'surface with text PIN', run: (c) => readSurfaceWithTextPin(c, issued.textApPin) },
  { name: 'surface with code B', run: (c) => readSurfaceWithCodeB(c, issued.codeB) },
  {
    name: 'PIN counters',
    run: async (c) => {
      const jpki = await JpkiAp.select(c);
      await jpki.authenticationPinStatus();
      await jpki.signaturePinStatus();
      return (await TextAp.select(c)).pinStatus();
    },
  },
];

/** Status words that steer the library down its other paths. */
const STATUS_WORDS = [
  0x9000, 0x6282, 0x6100, 0x6101, 0x61ff, 0x6c00, 0x6c01, 0x6c08, 0x6cff, 0x63c0, 0x63c1, 0x63c2, 0x63cf, 0x6983, 0x6984, 0x6982, 0x6985, 0x6a82, 0x6a86, 0x6700,
  0x6b00, 0x6d00, 0x6e00, 0x6f00, 0x0000, 0xffff,
];

/** Replaces the status word, keeping the data. */
const statusWord: Mutator = (rng, input, log) => {
  const sw = rng.pick(STATUS_WORDS);
  log.note(`sw=${sw.toString(16)}`);
  const out = input.length >= 2 ? input.slice() : new Uint8Array(2);
  out[out.length - 2] = sw >> 8;
  out[out.length - 1] = sw & 0xff;
  return out;
};

/** More data than anyone asked for, before the status word. */
const flood: Mutator = (rng, input, log) => {
  const n = rng.pick([257, 4097, 65_537, 200_000]);
  log.note(`flood+${n}`);
  const out = new Uint8Array(input.length + n);
  out.set(input.subarray(0, Math.max(0, input.length - 2)));
  out.fill(rng.pick([0x00, 0x30, 0xff]), Math.max(0, input.length - 2), out.length - 2);
  out.set(input.subarray(Math.max(0, input.length - 2)), out.length - 2);
  return out;
};

/** Corrupts a BER-TLV length or tag inside the data (the files' headers and records). */
const dataHeader: Mutator = (rng, input, log) => {
  if (input.length < 4) return bitFlip(rng, input, log);
  const out = input.slice();
  const at = rng.int(Math.min(out.length - 2, 16));
  out[at] = rng.pick([0x00, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0xff, 0x30, 0xdf, 0x1f]);
  log.note(`data-header@${at}=${out[at]!.toString(16)}`);
  return out;
};

const APDU_AWARE: Mutator[] = [statusWord, statusWord, dataHeader, flood, truncate];

type Fault = 'none' | 'mutate' | 'reject' | 'throw-sync' | 'not-bytes' | 'hang' | 'empty';

/** The simulated card, its answers corrupted now and then as the case's PRNG decides. */
class HostileTransport implements CardTransport {
  readonly card: CardTransport;
  readonly rng: Rng;
  readonly log: CaseLog;
  /** Chance that one exchange is tampered with. */
  readonly rate: number;

  constructor(card: CardTransport, rng: Rng, log: CaseLog, rate: number) {
    this.card = card;
    this.rng = rng;
    this.log = log;
    this.rate = rate;
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const fault: Fault = this.rng.chance(this.rate)
      ? this.rng.weighted<Fault>([[70, 'mutate'], [6, 'reject'], [3, 'throw-sync'], [5, 'not-bytes'], [2, 'hang'], [6, 'empty']])
      : 'none';
    if (fault === 'none') return this.card.transmit(apdu);
    this.log.note(`ins ${apdu[1]?.toString(16)}: ${fault}`);
    switch (fault) {
      case 'reject':
        throw this.rng.chance(0.5) ? new Error('reader unplugged') : new CardError('card_removed');
      case 'throw-sync':
        // A transport that throws a non-Error value.
        throw 'boom';
      case 'not-bytes':
        return this.rng.pick([null, 'not bytes', [0x90, 0x00], { length: 2 }]) as unknown as Uint8Array;
      case 'hang':
        return new Promise<Uint8Array>(() => {});
      case 'empty':
        return new Uint8Array(this.rng.int(2));
      default:
        return mutate(this.rng, await this.card.transmit(apdu), this.log, APDU_AWARE);
    }
  }
}

function expectCardError(error: unknown): CardError {
  if (!(error instanceof CardError)) fail(`threw ${(error as Error)?.name ?? typeof error}: ${(error as Error)?.message ?? String(error)}`);
  if (!CARD_REASONS.has(error.reason)) fail(`a CardError with a reason outside the catalogue: ${error.reason}`);
  return error;
}

test('without tampering every session completes (the fuzzer starts from working sessions)', async () => {
  for (const session of SESSIONS) {
    issued.card.insert();
    await expect(session.run(new ApduChannel(issued.card, { timeoutMs: 2000 }))).resolves.toBeDefined();
  }
});

test(`card sessions against tampered responses complete or end in a typed CardError (${sessionPlan.cases} cases, seed ${sessionPlan.seed})`, async () => {
  const outcomes: Record<string, number> = { completed: 0 };
  let slowest = 0;
  const result = await fuzz('apdu-sessions', sessionPlan, async (rng, log) => {
    const session = rng.pick(SESSIONS);
    log.note(session.name);
    // A fresh card session each time (nothing selected, no PIN verified); the counters stay, as on a chip.
    issued.card.insert();
    const transport = new HostileTransport(issued.card, rng, log, rng.pick([0.05, 0.2, 0.5, 1]));
    const channel = new ApduChannel(transport, {
      timeoutMs: EXCHANGE_TIMEOUT_MS,
      extendedLength: rng.chance(0.5),
      maxGetResponseRounds: rng.pick([4, 64]),
    });
    const started = performance.now();
    try {
      await within(SESSION_LIMIT_MS, session.name, session.run(channel));
      outcomes.completed! += 1;
    } catch (error) {
      const typed = expectCardError(error);
      outcomes[typed.reason] = (outcomes[typed.reason] ?? 0) + 1;
    } finally {
      slowest = Math.max(slowest, performance.now() - started);
    }
  });
  console.log(`apdu session fuzz: ${result.cases} cases in ${result.ms} ms, slowest ${Math.round(slowest)} ms`, outcomes);
  if (sessionPlan.only === undefined) {
    expect(outcomes.completed).toBeGreaterThan(sessionPlan.cases / 50);
    expect(Object.keys(outcomes).length).toBeGreaterThan(4);
  }
  // The tampering spent no real PIN try: every wrong answer came from the transport, not the chip.
  expect(issued.card.triesLeft('text', TEXT_AP_EF.pin)).toBe(TEXT_AP_PIN_TRIES);
  expect(issued.card.triesLeft('jpki', JPKI_EF.authenticationPin)).toBe(AUTHENTICATION_PIN_TRIES);
  expect(issued.card.triesLeft('jpki', JPKI_EF.signaturePin)).toBe(SIGNATURE_PASSWORD_TRIES);
}, 120_000);

test(`response APDUs, BER-TLV records and surface records throw only CardError on mutated bytes (${parserPlan.cases} cases, seed ${parserPlan.seed})`, async () => {
  issued.card.insert();
  const record = (await readSurfaceWithCodeB(new ApduChannel(issued.card, { timeoutMs: 2000 }), issued.codeB)) as unknown;
  // The surface record's bytes as the card holds them, rebuilt from a clean read.
  const raw = await surfaceFile();
  expect(parseSurfaceRecord(raw)).toEqual(record);
  const seeds = [raw, raw.subarray(0, 300), Uint8Array.of(0x90, 0x00), Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05, 0x90, 0x00)];
  const generic: Mutator[] = [bitFlip, interestingByte, insertBytes, deleteBytes, truncate, dataHeader];
  const outcomes: Record<string, number> = { parsed: 0 };
  const result = await fuzz('apdu-parsers', parserPlan, (rng, log) => {
    const input = mutate(rng, rng.pick(seeds), log, generic);
    const parser = rng.pick(['response', 'tlvs', 'record', 'surface'] as const);
    log.note(parser);
    try {
      if (parser === 'response') parseResponse(input, rng.pick([0, 2, 256, 65_536]));
      else if (parser === 'tlvs') readTlvs(input, rng.pick([1, 32]));
      else if (parser === 'record') readRecord(input, rng.pick([0xff20, 0x30]), 16);
      else parseSurfaceRecord(input);
      outcomes.parsed! += 1;
    } catch (error) {
      const typed = expectCardError(error);
      outcomes[typed.reason] = (outcomes[typed.reason] ?? 0) + 1;
    }
  });
  console.log(`apdu parser fuzz: ${result.cases} cases in ${result.ms} ms`, outcomes);
  if (parserPlan.only === undefined) expect(outcomes.malformed_response).toBeGreaterThan(parserPlan.cases / 10);
}, 60_000);

/** EF 0002 of the 券面AP, read whole through a clean channel with plain READ BINARY. */
async function surfaceFile(): Promise<Uint8Array> {
  issued.card.insert();
  const channel = new ApduChannel(issued.card, { timeoutMs: 2000 });
  const ap = await SurfaceAp.select(channel);
  await ap.verifyCodeB(issued.codeB);
  await selectFile(channel, SURFACE_AP_EF.surface);
  return readFile(channel, { tag: SURFACE_TAG.record, maxBytes: 0x8000 });
}
