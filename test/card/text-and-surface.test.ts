// The 券面事項入力補助AP and the 券面AP through the card library and the simulator: the text AP's
// data passes the server's J-LIS-style verifier, and the card photo comes back byte for byte.
import { ApduChannel, describeCardError, isCardError, readSurfaceWithCodeB, readSurfaceWithTextPin, readTextApProof, SurfaceAp, TextAp } from '../../src/card/index.ts';
import { SURFACE_AP_EF } from '../../src/card/surface-ap.ts';
import { TEXT_AP_EF } from '../../src/card/text-ap.ts';
import { eraBirthdate, myNumberCheckDigit, TEXT_AP_PIN_TRIES } from '../../src/card/simulator/index.ts';
import { DEV_TEXT_AP_KEY_ID } from '../../src/households/text-ap/dev-card.ts';
import { TextApError, verifyTextApRead } from '../../src/households/text-ap/verify.ts';
import { cardPhoto, channelTo, challenge, createPki, decodeJ2k, issueCard, reasonOf, type Pki } from './card-fixtures.ts';

let pki: Pki;
let issuers: Map<string, import('node:crypto').KeyObject>;

beforeAll(() => {
  pki = createPki();
  issuers = new Map([[DEV_TEXT_AP_KEY_ID, pki.textApIssuerPublicKey]]);
});

describe('券面事項入力補助AP', () => {
  test('the basic four and their signatures, read over APDUs, pass src/households/text-ap’s verifier', async () => {
    const issued = await issueCard(pki);
    const bytes = challenge('PASS text-AP challenge');
    const proof = await readTextApProof(channelTo(issued.card), { pin: issued.textApPin, challenge: bytes });
    const verified = verifyTextApRead(proof, bytes, issuers);
    expect(verified.facts).toEqual({ name: '加賀　太郎', address: '石川県加賀市作見町ル２５番地１', birthdate: '19800217', sex: '1' });
    expect(verified.issuerKeyId).toBe(DEV_TEXT_AP_KEY_ID);
    // The card's signature is over this challenge only, and only the development issuer vouches for the data.
    expect(() => verifyTextApRead(proof, challenge('another'), issuers)).toThrow(TextApError);
    expect(() => verifyTextApRead(proof, bytes, new Map())).toThrow(TextApError);
  });

  test('the PIN: 4 digits, counter first, 63 Cx, locked after 3', async () => {
    const issued = await issueCard(pki);
    const ap = await TextAp.select(channelTo(issued.card));
    expect(await ap.pinStatus()).toEqual({ locked: false, triesLeft: TEXT_AP_PIN_TRIES });
    expect(await reasonOf(ap.verifyPin('12a4'))).toBe('invalid_pin');
    expect(await reasonOf(ap.readBasicFour())).toBe('pin_not_verified');
    const wrong = await ap.verifyPin('0000').catch((e: unknown) => e);
    expect(isCardError(wrong, 'wrong_pin') && wrong.triesLeft).toBe(2);
    expect(await reasonOf(ap.verifyPin('0000'))).toBe('wrong_pin');
    expect(await reasonOf(ap.verifyPin('0000'))).toBe('pin_locked');
    expect(issued.card.triesLeft('text', TEXT_AP_EF.pin)).toBe(0);
    expect(await reasonOf(readTextApProof(channelTo(issued.card), { pin: issued.textApPin, challenge: challenge() }))).toBe('pin_locked');
  });
});

describe('券面AP and the card photo', () => {
  test('with the text AP’s PIN alone: the photo comes back intact and decodes to the original pixels', async () => {
    const issued = await issueCard(pki);
    const photo = await cardPhoto();
    const record = await readSurfaceWithTextPin(channelTo(issued.card), issued.textApPin);
    expect(record.photo).toEqual(photo.j2k);
    expect(record.photoFormat).toBe('j2k');
    expect(record.birthdate).toBe('19800217');
    expect(record.sex).toBe('1');
    expect(record.expiry).toMatch(/^\d{8}$/);
    expect(record.signature).toHaveLength(256);
    const decoded = await decodeJ2k(record.photo);
    expect([decoded.width, decoded.height]).toEqual([photo.width, photo.height]);
    expect(decoded.pixels).toEqual(photo.pixels);
    // The My Number went to the card as 照合番号A and nowhere else.
    expect(Object.values(record).filter((v) => typeof v === 'string')).not.toContain(issued.myNumber);
  });

  test('through a transport that carries batches (the card bridge): the photo in a few exchanges, byte for byte; a card answering in parts is read on one by one', async () => {
    const issued = await issueCard(pki);
    const photo = await cardPhoto();
    const card = issued.card;
    const count = { single: 0, batch: 0 };
    const bridgeLike = {
      transmit: (apdu: Uint8Array) => ((count.single += 1), card.transmit(apdu)),
      async transmitBatch(apdus: readonly Uint8Array[]) {
        count.batch += 1;
        const out: Uint8Array[] = [];
        for (const apdu of apdus) out.push(await card.transmit(apdu));
        return out;
      },
    };
    const record = await readSurfaceWithTextPin(new ApduChannel(bridgeLike, { timeoutMs: 2000 }), issued.textApPin);
    expect(record.photo).toEqual(photo.j2k);
    const chunks = Math.ceil(photo.j2k.length / 256);
    expect(count.batch).toBeLessThanOrEqual(Math.ceil(chunks / 32) + 1);
    expect(count.single + count.batch).toBeLessThan(chunks / 2);

    // A card that answers a full chunk in parts (61 xx) breaks the batch; the rest is read one command at a time, with GET RESPONSE.
    card.behaviour.responseChunk = 100;
    count.single = 0;
    count.batch = 0;
    const again = await readSurfaceWithTextPin(new ApduChannel(bridgeLike, { timeoutMs: 2000 }), issued.textApPin);
    expect(again.photo).toEqual(photo.j2k);
    expect(count.batch).toBeGreaterThan(0);
    expect(count.single).toBeGreaterThan(chunks);

    // A bridge that answers a batch with the wrong number of responses is refused, never read past.
    delete card.behaviour.responseChunk;
    const short = { ...bridgeLike, transmitBatch: async (apdus: readonly Uint8Array[]) => (await bridgeLike.transmitBatch(apdus)).slice(1) };
    expect(await reasonOf(readSurfaceWithTextPin(new ApduChannel(short, { timeoutMs: 2000 }), issued.textApPin))).toBe('malformed_response');
  });

  test('with 照合番号B (date of birth in the era year, expiry year, security code)', async () => {
    const issued = await issueCard(pki, { securityCode: '4321', cardExpiry: '2036-02-17' });
    expect(issued.codeB).toBe(`${eraBirthdate('1980-02-17')}20364321`);
    expect(eraBirthdate('1980-02-17')).toBe('550217'); // 昭和55年
    expect(eraBirthdate('2019-05-01')).toBe('010501'); // 令和元年
    const record = await readSurfaceWithCodeB(channelTo(issued.card), issued.codeB);
    expect(record.photo).toEqual((await cardPhoto()).j2k);
    expect(record.expiry).toBe('20360217');
  });

  test('nothing before a verification number; a wrong one counts down and locks', async () => {
    const issued = await issueCard(pki);
    const ap = await SurfaceAp.select(channelTo(issued.card));
    expect(await reasonOf(ap.readSurface())).toBe('pin_not_verified');
    expect(await reasonOf(ap.verifyCodeB('123'))).toBe('invalid_verification_code');
    const wrong = await ap.verifyCodeB('00000000000000').catch((e: unknown) => e);
    expect(isCardError(wrong, 'wrong_verification_code')).toBe(true);
    if (isCardError(wrong)) {
      expect(wrong.triesLeft).toBe(2);
      expect(describeCardError(wrong, 'ja')).toBe('照合番号が違います。あと 2 回間違えるとロックされます。');
    }
    expect(await ap.codeBStatus()).toEqual({ locked: false, triesLeft: 2 });
    expect(await ap.codeAStatus()).toEqual({ locked: false, triesLeft: 3 });
    await ap.verifyCodeA(issued.myNumber);
    expect((await ap.readSurface()).photoFormat).toBe('j2k');
    expect(issued.card.triesLeft('surface', SURFACE_AP_EF.codeB)).toBe(2);
  });

  test('the simulator’s My Numbers carry a valid check digit', async () => {
    expect(myNumberCheckDigit('12345678901')).toBe(8); // the commonly published example 123456789018
    const issued = await issueCard(pki);
    expect(Number(issued.myNumber[11])).toBe(myNumberCheckDigit(issued.myNumber.slice(0, 11)));
  });
});
