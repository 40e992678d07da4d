// The ISO 7816-4 mechanics between the library and a card: GET RESPONSE, 6C xx, chunked and
// extended READ BINARY, and what happens when the card (or whatever claims to be one) misbehaves:
// every answer is length- and tag-checked, so the outcome is a typed CardError, never a crash or a hang.
import {
  ApduChannel,
  CardError,
  JpkiAp,
  readAuthenticationProof,
  readSurfaceWithTextPin,
  readTextApProof,
  type CardTransport,
} from '../../src/card/index.ts';
import { readBinary } from '../../src/card/file-reading.ts';
import type { IssuedSimulatedCard } from '../../src/card/simulator/index.ts';
import { channelTo, challenge, createPki, issueCard, reasonOf, type Pki } from './card-fixtures.ts';

const READ_BINARY = 0xb0;
const GET_RESPONSE = 0xc0;

let pki: Pki;
let card: IssuedSimulatedCard;

beforeAll(async () => {
  pki = createPki();
  card = await issueCard(pki);
});

beforeEach(() => {
  card.card.insert();
  card.card.behaviour.extendedLength = true;
  delete card.card.behaviour.responseChunk;
  delete card.card.behaviour.strictLe;
});

const reads = () => card.card.exchanges.filter((e) => e.ins === READ_BINARY);

async function certificateRead(options: ConstructorParameters<typeof ApduChannel>[1] = {}) {
  const from = card.card.exchanges.length;
  const ap = await JpkiAp.select(channelTo(card.card, options));
  const certificate = await ap.readAuthenticationCertificate();
  return { certificate, exchanges: card.card.exchanges.slice(from) };
}

describe('reading files', () => {
  test('short APDUs: the DER header first, then the rest in chunks of at most 256', async () => {
    const { certificate, exchanges } = await certificateRead();
    expect(certificate).toEqual(card.authenticationCertificate);
    const les = exchanges.filter((e) => e.ins === READ_BINARY).map((e) => [(e.p1 << 8) | e.p2, e.le]);
    expect(les[0]).toEqual([0, 8]);
    expect(les.slice(1).every(([, le]) => le! <= 256)).toBe(true);
    expect(les.length).toBe(1 + Math.ceil((certificate.length - 8) / 256));
    expect(exchanges.every((e) => e.ins !== READ_BINARY || e.le! <= 256)).toBe(true);
  });

  test('extended APDUs where the card takes them: header, then the whole rest at once', async () => {
    const { certificate, exchanges } = await certificateRead({ extendedLength: true });
    expect(certificate).toEqual(card.authenticationCertificate);
    const les = exchanges.filter((e) => e.ins === READ_BINARY).map((e) => e.le);
    expect(les).toEqual([8, certificate.length - 8]);
  });

  test('a card that refuses extended APDUs (67 00) is read with short ones for the rest of the session', async () => {
    card.card.behaviour.extendedLength = false;
    const channel = channelTo(card.card, { extendedLength: true });
    const ap = await JpkiAp.select(channel);
    expect(await ap.readAuthenticationCertificate()).toEqual(card.authenticationCertificate);
    expect(channel.extendedLength).toBe(false);
    expect(await ap.readAuthenticationCaCertificate()).toEqual(pki.issuers.cas.authentication.certificateDer);
  });

  test('GET RESPONSE (61 xx): a card that hands out long answers in parts', async () => {
    card.card.behaviour.responseChunk = 100;
    const from = card.card.exchanges.length;
    const proof = await readAuthenticationProof(channelTo(card.card, { extendedLength: true }), { pin: card.authenticationPin, challenge: challenge() });
    expect(proof.certificate).toEqual(card.authenticationCertificate);
    expect(proof.signature).toHaveLength(256);
    const getResponses = card.card.exchanges.slice(from).filter((e) => e.ins === GET_RESPONSE);
    expect(getResponses.length).toBeGreaterThan(3);
    await pki.verifier.verifyAuthenticationProof({ ...proof, challenge: challenge() });
  });

  test('6C xx: a card that wants the exact Le gets the command again with it', async () => {
    card.card.behaviour.strictLe = true;
    const channel = channelTo(card.card);
    const ap = await JpkiAp.select(channel);
    expect(await ap.readAuthenticationCertificate()).toEqual(card.authenticationCertificate);
    // Asking for 256 where 10 bytes are left: 6C 0A, then the same READ BINARY with Le 0A.
    const from = card.card.exchanges.length;
    const tail = await readBinary(channel, card.authenticationCertificate.length - 10, 256);
    expect(tail).toEqual(card.authenticationCertificate.slice(-10));
    expect(card.card.exchanges.slice(from).map((e) => [e.sw.toString(16), e.le])).toEqual([
      ['6c0a', 256],
      ['9000', 10],
    ]);
    // The whole check-in still works against such a card.
    const proof = await readAuthenticationProof(channel, { pin: card.authenticationPin, challenge: challenge() });
    await pki.verifier.verifyAuthenticationProof({ ...proof, challenge: challenge() });
  });

  test('the surface record (photo included) over extended reads and over GET RESPONSE', async () => {
    const extended = await readSurfaceWithTextPin(channelTo(card.card, { extendedLength: true, maxExtendedLe: 65536 }), card.textApPin);
    card.card.behaviour.responseChunk = 200;
    const parted = await readSurfaceWithTextPin(channelTo(card.card), card.textApPin);
    expect(parted.photo).toEqual(extended.photo);
    expect(reads().length).toBeGreaterThan(10);
  });
});

describe('the card leaves the reader', () => {
  test('mid-read: a typed card_removed, and a fresh session once it is back', async () => {
    card.card.removeAfter(4); // SELECT AP, SELECT EF, header read, one chunk…
    const error = await JpkiAp.select(channelTo(card.card))
      .then((ap) => ap.readAuthenticationCertificate())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CardError);
    expect((error as CardError).reason).toBe('card_removed');
    expect((error as CardError).status).toBe(409);
    expect(await reasonOf(readAuthenticationProof(channelTo(card.card), { pin: card.authenticationPin, challenge: challenge() }))).toBe('card_removed');
    card.card.insert();
    await expect(readAuthenticationProof(channelTo(card.card), { pin: card.authenticationPin, challenge: challenge() })).resolves.toBeDefined();
  });
});

/** A transport in front of the simulator that rewrites each answer. */
function tampered(rewrite: (response: Uint8Array, index: number, apdu: Uint8Array) => Uint8Array): CardTransport {
  let index = 0;
  return { transmit: async (apdu) => rewrite(await card.card.transmit(apdu), index++, apdu) };
}

const withSw = (data: number[] | Uint8Array, sw: number) => Uint8Array.from([...data, sw >> 8, sw & 0xff]);
const isReadBinary = (apdu: Uint8Array) => apdu[1] === READ_BINARY;

describe('hostile answers', () => {
  const flow = (transport: CardTransport) =>
    readAuthenticationProof(new ApduChannel(transport, { timeoutMs: 200 }), { pin: card.authenticationPin, challenge: challenge() });

  test.each([
    ['no status word', () => new Uint8Array(1), 'malformed_response'],
    ['a header claiming a 16 MB certificate', (r: Uint8Array, _i: number, a: Uint8Array) => (isReadBinary(a) && a[3] === 0 ? withSw([0x30, 0x83, 0xff, 0xff, 0xff, 0, 0, 0], 0x9000) : r), 'response_too_large'],
    ['an indefinite length', (r: Uint8Array, _i: number, a: Uint8Array) => (isReadBinary(a) && a[3] === 0 ? withSw([0x30, 0x80, 0, 0, 0, 0, 0, 0], 0x9000) : r), 'malformed_response'],
    ['the wrong tag', (r: Uint8Array, _i: number, a: Uint8Array) => (isReadBinary(a) && a[3] === 0 ? withSw([0x31, 0x82, 0x01, 0x00, 0, 0, 0, 0], 0x9000) : r), 'malformed_response'],
    ['more bytes than Le asked for', (r: Uint8Array, _i: number, a: Uint8Array) => (isReadBinary(a) ? withSw(new Uint8Array(300), 0x9000) : r), 'malformed_response'],
    ['a file that ends early', (r: Uint8Array, _i: number, a: Uint8Array) => (isReadBinary(a) && a[3] !== 0 ? withSw([], 0x9000) : r), 'malformed_response'],
    ['a response larger than any APDU', () => withSw(new Uint8Array(70_000), 0x9000), 'response_too_large'],
    ['a signature of the wrong length', (r: Uint8Array, _i: number, a: Uint8Array) => (a[1] === 0x2a ? withSw(new Uint8Array(255), 0x9000) : r), 'malformed_response'],
    ['endless 61 xx', () => withSw([1], 0x6101), 'response_too_large'],
    ['61 xx with nothing', (r: Uint8Array, _i: number, a: Uint8Array) => (a[1] === GET_RESPONSE ? withSw([], 0x6110) : isReadBinary(a) ? withSw([], 0x6110) : r), 'malformed_response'],
    ['6C xx twice', (r: Uint8Array, _i: number, a: Uint8Array) => (isReadBinary(a) ? withSw([], 0x6c05) : r), 'malformed_response'],
    ['data after SELECT', (r: Uint8Array, _i: number, a: Uint8Array) => (a[1] === 0xa4 ? withSw([1, 2, 3], 0x9000) : r), 'malformed_response'],
    ['an unknown status word', () => withSw([], 0x6f00), 'card_error'],
    ['not bytes at all', () => 'nonsense' as unknown as Uint8Array, 'malformed_response'],
  ])('%s → %s', async (_name, rewrite, reason) => {
    expect(await reasonOf(flow(tampered(rewrite)))).toBe(reason);
  });

  test('a PIN is never sent twice, whatever the card answers (6C to VERIFY is not a retry)', async () => {
    let verifiesWithPin = 0;
    const transport: CardTransport = {
      transmit: async (apdu) => {
        if (apdu[1] === 0x20 && apdu.length > 4) {
          verifiesWithPin++;
          return withSw([], 0x6c04);
        }
        return card.card.transmit(apdu);
      },
    };
    expect(await reasonOf(flow(transport))).toBe('card_error');
    expect(verifiesWithPin).toBe(1);
  });

  test('a card that never answers times out', async () => {
    const silent: CardTransport = { transmit: () => new Promise(() => {}) };
    const started = Date.now();
    expect(await reasonOf(flow(silent))).toBe('card_timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a transport that fails is a transport_error, with the cause kept out of the message', async () => {
    const broken: CardTransport = { transmit: async () => Promise.reject(new Error('SCardTransmit failed on /dev/bus/usb/001/004')) };
    const error = (await flow(broken).catch((e: unknown) => e)) as CardError;
    expect(error.reason).toBe('transport_error');
    expect(error.message).not.toContain('/dev/bus');
  });
});

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzzing the answers (fixed seed)', () => {
  const SEED = 0x5eed16;

  function mutate(rand: () => number, response: Uint8Array): Uint8Array {
    // Most answers pass untouched, so sessions get deep into the sequence before something breaks.
    if (rand() < 0.93) return response;
    const roll = rand();
    const int = (n: number) => Math.floor(rand() * n);
    if (roll < 0.25) return response.slice(0, int(response.length + 1)); // truncated
    if (roll < 0.5) return Uint8Array.from({ length: int(600) }, () => int(256)); // random bytes
    if (roll < 0.75) {
      const copy = response.slice();
      for (let n = 0; n < 1 + int(4); n++) if (copy.length > 0) copy[int(copy.length)] = int(256); // flipped bytes, lengths and tags included
      return copy;
    }
    const copy = response.slice(); // another status word
    if (copy.length >= 2) {
      copy[copy.length - 2] = [0x61, 0x63, 0x6c, 0x69, 0x6a, 0x90, 0x62, 0x67][int(8)]!;
      copy[copy.length - 1] = int(256);
    }
    return copy;
  }

  test('300 sessions of mutated answers: every one ends in success or a typed CardError, and none hangs', async () => {
    const rand = random(SEED);
    const outcomes = new Map<string, number>();
    const flows = [
      (c: ApduChannel) => readAuthenticationProof(c, { pin: card.authenticationPin, challenge: challenge() }),
      (c: ApduChannel) => readTextApProof(c, { pin: card.textApPin, challenge: challenge() }),
      (c: ApduChannel) => readSurfaceWithTextPin(c, card.textApPin),
    ];
    for (let i = 0; i < 300; i++) {
      card.card.insert();
      const channel = new ApduChannel(tampered((r) => mutate(rand, r)), { timeoutMs: 500, extendedLength: rand() < 0.5 });
      let outcome = 'ok';
      try {
        await flows[i % flows.length]!(channel);
      } catch (error) {
        if (!(error instanceof CardError)) throw error;
        outcome = error.reason;
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    expect(outcomes.get('ok')).toBeGreaterThan(0);
    expect(outcomes.get('malformed_response')).toBeGreaterThan(0);
    expect([...outcomes.keys()].length).toBeGreaterThan(3);
  });

  test('pure noise: 500 sessions against random bytes never succeed and never throw anything untyped', async () => {
    const rand = random(SEED + 1);
    for (let i = 0; i < 500; i++) {
      const noise: CardTransport = { transmit: async () => Uint8Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)) };
      const error = await readAuthenticationProof(new ApduChannel(noise, { timeoutMs: 200 }), { pin: '1234', challenge: challenge() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CardError);
    }
  });
});
