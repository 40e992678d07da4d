/**
 * 公的個人認証AP (JPKI-AP), JPKI.md §1.1: the signature certificate and key (6–16 character
 * password, 5 tries), the user-authentication certificate and key (4-digit PIN, 3 tries), and the
 * card's copies of the two CA certificates — read for completeness, never trusted: PASS chains to
 * its configured anchors only (docs/jpki.md).
 *
 *   select           00 A4 04 0C 0A D392F000260100000001
 *   PIN counter      00 A4 02 0C 02 001B|0018, then 00 20 00 80            → 63 Cx
 *   verify           00 20 00 80 Lc <PIN ASCII>                             → 90 00 | 63 Cx | 69 84
 *   certificate      00 A4 02 0C 02 0001|000A|0002|000B, 00 B0 … (header, then the rest)
 *   sign             00 A4 02 0C 02 001A|0017, 80 2A 00 80 33 <DigestInfo> 00 → 256 bytes
 */
import type { ApduChannel } from './apdu-channel.ts';
import { fromHex } from './bytes.ts';
import { CardApplication } from './card-application.ts';
import { isSha256DigestInfo } from './digest-info.ts';
import { CardError } from './errors.ts';
import { computeSignature, selectFile, type PinStatus } from './iso-commands.ts';
import { fourDigitPinBytes, signaturePasswordBytes } from './secrets.ts';

export const JPKI_AID = fromHex('D3 92 F0 00 26 01 00 00 00 01');

export const JPKI_EF = {
  signatureCertificate: 0x0001,
  signatureCaCertificate: 0x0002,
  authenticationCertificate: 0x000a,
  authenticationCaCertificate: 0x000b,
  authenticationKey: 0x0017,
  authenticationPin: 0x0018,
  signatureKey: 0x001a,
  signaturePin: 0x001b,
} as const;

/** The verifier's own limit (docs/jpki.md: certificates up to 8 KiB). */
export const MAX_CERTIFICATE_BYTES = 8192;
const CERTIFICATE = { tag: 0x30, maxBytes: MAX_CERTIFICATE_BYTES };

/** P1 00: the card pads the given DigestInfo (PKCS#1 v1.5); P2 80: the key is the selected key EF (JPKI.md §1.1). */
const SIGN_P1_DIGEST_INFO = 0x00;
const SIGN_P2_SELECTED_KEY = 0x80;

export class JpkiAp extends CardApplication {
  private constructor(channel: ApduChannel) {
    super(channel, JPKI_AID);
  }

  static async select(channel: ApduChannel): Promise<JpkiAp> {
    await CardApplication.selectOn(channel, JPKI_AID);
    return new JpkiAp(channel);
  }

  /** A card without a signature certificate (under 15) has no signature password either: no_signature_certificate. */
  signaturePinStatus(): Promise<PinStatus> {
    return this.pinStatusOf(JPKI_EF.signaturePin, 'no_signature_certificate');
  }

  authenticationPinStatus(): Promise<PinStatus> {
    return this.pinStatusOf(JPKI_EF.authenticationPin);
  }

  /** The signature password: upper-cased, 6–16 letters and digits, checked before it costs a try. */
  async verifySignaturePassword(password: string): Promise<void> {
    return this.verifyAt(JPKI_EF.signaturePin, signaturePasswordBytes(password), 'wrong_pin', 'no_signature_certificate');
  }

  async verifyAuthenticationPin(pin: string): Promise<void> {
    return this.verifyAt(JPKI_EF.authenticationPin, fourDigitPinBytes(pin), 'wrong_pin');
  }

  /** EF 0001, readable only after the signature password (69 82 before); 6A 82 on a card without one (under 15). */
  readSignatureCertificate(): Promise<Uint8Array> {
    return this.readEf(JPKI_EF.signatureCertificate, CERTIFICATE, 'no_signature_certificate');
  }

  /** EF 000A, readable without a PIN. */
  readAuthenticationCertificate(): Promise<Uint8Array> {
    return this.readEf(JPKI_EF.authenticationCertificate, CERTIFICATE);
  }

  /** EF 0002: the card's copy of the signature CA. Untrusted (JPKI.md §1.1, §4). */
  readSignatureCaCertificate(): Promise<Uint8Array> {
    return this.readEf(JPKI_EF.signatureCaCertificate, CERTIFICATE);
  }

  /** EF 000B: the card's copy of the user-authentication CA. Untrusted. */
  readAuthenticationCaCertificate(): Promise<Uint8Array> {
    return this.readEf(JPKI_EF.authenticationCaCertificate, CERTIFICATE);
  }

  /** Needs the signature password verified in this session. */
  signWithSignatureKey(digestInfo: Uint8Array): Promise<Uint8Array> {
    return this.#sign(JPKI_EF.signatureKey, digestInfo);
  }

  /** Needs the user-authentication PIN verified in this session. */
  signWithAuthenticationKey(digestInfo: Uint8Array): Promise<Uint8Array> {
    return this.#sign(JPKI_EF.authenticationKey, digestInfo);
  }

  async #sign(keyFid: number, digestInfo: Uint8Array): Promise<Uint8Array> {
    if (!isSha256DigestInfo(digestInfo)) throw new CardError('invalid_command', 'the card signs a SHA-256 DigestInfo only');
    this.assertSelected();
    await selectFile(this.channel, keyFid);
    return computeSignature(this.channel, SIGN_P1_DIGEST_INFO, SIGN_P2_SELECTED_KEY, digestInfo);
  }
}
