/**
 * 券面事項入力補助AP (text-input-support AP), JPKI.md §1.2: the basic four as text, signed by the
 * issuer (EF 0003 over EF 0002, the signing key certified in EF 0004), and a card key certified in
 * EF 0007 that signs a fresh challenge to show the card itself is present. What this reads is
 * exactly what `src/households/text-ap/verify.ts` verifies on the server.
 *
 *   select        00 A4 04 0C 0A D3921000310001010408
 *   PIN counter   00 A4 02 0C 02 0011, then 00 20 00 80                 → 63 Cx
 *   verify        00 20 00 80 04 <4 digits>                              (opens EF 0001 and EF 0002)
 *   files         00 A4 02 0C 02 0002|0003|0004|0007, 00 B0 … (header, then the rest)
 *   card present  80 2A 00 00 33 <DigestInfo(SHA-256(challenge))> 00    → 256 bytes (the AP's own key)
 */
import type { ApduChannel } from './apdu-channel.ts';
import { fromHex, wipe } from './bytes.ts';
import { readRecord, requireMember } from './ber-tlv.ts';
import { CardApplication } from './card-application.ts';
import { sha256DigestInfo } from './digest-info.ts';
import { CardError } from './errors.ts';
import { computeSignature, type PinStatus } from './iso-commands.ts';
import { fourDigitPinBytes } from './secrets.ts';

export const TEXT_AP_AID = fromHex('D3 92 10 00 31 00 01 01 04 08');

export const TEXT_AP_EF = {
  myNumber: 0x0001,
  basicFour: 0x0002,
  integrity: 0x0003,
  dataKeyCertificate: 0x0004,
  cardKey: 0x0007,
  pin: 0x0011,
} as const;

export const TEXT_AP_TAG = {
  myNumber: 0xff10,
  basicFour: 0xff20,
  integrity: 0xff30,
  dataKeyCertificate: 0x7f21,
  cardKey: 0xff50,
} as const;

const MAX_RECORD_BYTES = 4096;

/**
 * What the server's text-AP verifier takes (src/households/text-ap/verify.ts, TextApRead), written
 * out here rather than imported: the card core imports nothing outside src/card and src/core, so
 * the kiosk page can load it (test/card/apdu.test.ts "portability").
 */
export interface TextApProof {
  ef0002: Uint8Array;
  ef0003: Uint8Array;
  ef0004: Uint8Array;
  ef0007: Uint8Array;
  /** The AP card key's PKCS#1 v1.5 / SHA-256 signature over the challenge. */
  challengeSignature: Uint8Array;
}

/** P1 00 P2 00: pad the given DigestInfo, with the application's own key (JPKI.md §1.2 step 4). */
const SIGN_P1_DIGEST_INFO = 0x00;
const SIGN_P2_APPLICATION_KEY = 0x00;

export class TextAp extends CardApplication {
  private constructor(channel: ApduChannel) {
    super(channel, TEXT_AP_AID);
  }

  static async select(channel: ApduChannel): Promise<TextAp> {
    await CardApplication.selectOn(channel, TEXT_AP_AID);
    return new TextAp(channel);
  }

  pinStatus(): Promise<PinStatus> {
    return this.pinStatusOf(TEXT_AP_EF.pin);
  }

  async verifyPin(pin: string): Promise<void> {
    return this.verifyAt(TEXT_AP_EF.pin, fourDigitPinBytes(pin), 'wrong_pin');
  }

  /** EF 0002 (needs the PIN): FF20 { DF21 offsets · DF22 name · DF23 address · DF24 birthdate · DF25 sex }. */
  async readBasicFour(): Promise<Uint8Array> {
    const file = await this.readEf(TEXT_AP_EF.basicFour, { tag: TEXT_AP_TAG.basicFour, maxBytes: MAX_RECORD_BYTES });
    const { members } = readRecord(file, TEXT_AP_TAG.basicFour);
    for (const [tag, what] of [[0xdf22, 'name'], [0xdf23, 'address'], [0xdf24, 'birthdate'], [0xdf25, 'sex']] as const) requireMember(members, tag, what);
    return file;
  }

  /** EF 0003: FF30 { DF31 hash of EF 0001 · DF32 hash of EF 0002 · DF33 issuer-key signature }. */
  async readIntegrityRecord(): Promise<Uint8Array> {
    const file = await this.readEf(TEXT_AP_EF.integrity, { tag: TEXT_AP_TAG.integrity, maxBytes: MAX_RECORD_BYTES });
    const { members } = readRecord(file, TEXT_AP_TAG.integrity);
    for (const [tag, what] of [[0xdf32, 'hash of EF 0002'], [0xdf33, 'signature']] as const) requireMember(members, tag, what);
    return file;
  }

  /** EF 0004: the certificate of the data-signing key (readable without a PIN). */
  async readDataKeyCertificate(): Promise<Uint8Array> {
    const file = await this.readEf(TEXT_AP_EF.dataKeyCertificate, { tag: TEXT_AP_TAG.dataKeyCertificate, maxBytes: MAX_RECORD_BYTES });
    readRecord(file, TEXT_AP_TAG.dataKeyCertificate);
    return file;
  }

  /** EF 0007: FF50 { DF51 card AP public key · DF52 issuer signature }. */
  async readCardKey(): Promise<Uint8Array> {
    const file = await this.readEf(TEXT_AP_EF.cardKey, { tag: TEXT_AP_TAG.cardKey, maxBytes: MAX_RECORD_BYTES });
    const { members } = readRecord(file, TEXT_AP_TAG.cardKey);
    for (const [tag, what] of [[0xdf51, 'card key'], [0xdf52, 'issuer signature']] as const) requireMember(members, tag, what);
    return file;
  }

  /** The card signs DigestInfo(SHA-256(challenge)) with this application's own key. */
  async signChallenge(challenge: Uint8Array): Promise<Uint8Array> {
    this.assertSelected();
    return computeSignature(this.channel, SIGN_P1_DIGEST_INFO, SIGN_P2_APPLICATION_KEY, await sha256DigestInfo(challenge));
  }

  /**
   * EF 0001, the My Number (`FF10 0C <12 digits>`), for one purpose only: handing it to the 券面AP
   * as 照合番号A in the same card session (card-photo.ts), as bytes the caller wipes. PASS never
   * stores or sends it.
   */
  async readMyNumberForSurfaceAp(): Promise<Uint8Array> {
    const file = await this.readEf(TEXT_AP_EF.myNumber, { tag: TEXT_AP_TAG.myNumber, maxBytes: 64 });
    try {
      const digits = file.slice(3);
      if (file.length !== 15 || !digits.every((b) => b >= 0x30 && b <= 0x39)) {
        wipe(digits);
        throw new CardError('malformed_response', 'EF 0001 is not 12 digits');
      }
      return digits;
    } finally {
      wipe(file);
    }
  }
}

/** One card session of the text AP: PIN (counter first), the four files, and the card's signature over the challenge. */
export async function readTextApProof(channel: ApduChannel, input: { pin: string; challenge: Uint8Array }): Promise<TextApProof> {
  const ap = await TextAp.select(channel);
  await ap.verifyPin(input.pin);
  const ef0002 = await ap.readBasicFour();
  const ef0003 = await ap.readIntegrityRecord();
  const ef0004 = await ap.readDataKeyCertificate();
  const ef0007 = await ap.readCardKey();
  const challengeSignature = await ap.signChallenge(input.challenge);
  return { ef0002, ef0003, ef0004, ef0007, challengeSignature };
}
