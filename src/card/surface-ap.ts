/**
 * 券面AP (card-surface AP), JPKI.md §1.3: the surface record with the face photo. It has no PIN of
 * its own; it opens with 照合番号A (the 12-digit My Number: front and back) or 照合番号B (date of
 * birth + expiry year + the 4-digit security code printed on the card: the front only, which holds
 * the photo).
 *
 *   select     00 A4 04 0C 0A D3921000310001010402
 *   counter    00 A4 02 0C 02 0013|0012, then 00 20 00 80        → 63 Cx
 *   verify     00 20 00 80 Lc <digits>
 *   record     00 A4 02 0C 02 0002, 00 B0 … (header, then the rest; extended reads where taken)
 */
import type { ApduChannel } from './apdu-channel.ts';
import { fromHex } from './bytes.ts';
import { CardApplication } from './card-application.ts';
import { CardError } from './errors.ts';
import type { PinStatus } from './iso-commands.ts';
import { verificationCodeABytes, verificationCodeBBytes } from './secrets.ts';
import { parseSurfaceRecord, SURFACE_TAG, type SurfaceRecord } from './surface-record.ts';

export const SURFACE_AP_AID = fromHex('D3 92 10 00 31 00 01 01 04 02');

export const SURFACE_AP_EF = {
  surface: 0x0002,
  codeB: 0x0012,
  codeA: 0x0013,
} as const;

/** READ BINARY offsets are 15 bits, so no record can be longer (file-reading.ts). */
export const MAX_SURFACE_RECORD_BYTES = 0x8000;

export class SurfaceAp extends CardApplication {
  private constructor(channel: ApduChannel) {
    super(channel, SURFACE_AP_AID);
  }

  static async select(channel: ApduChannel): Promise<SurfaceAp> {
    await CardApplication.selectOn(channel, SURFACE_AP_AID);
    return new SurfaceAp(channel);
  }

  codeAStatus(): Promise<PinStatus> {
    return this.pinStatusOf(SURFACE_AP_EF.codeA);
  }

  codeBStatus(): Promise<PinStatus> {
    return this.pinStatusOf(SURFACE_AP_EF.codeB);
  }

  /** 照合番号A: the My Number, typed or read from the text AP in the same session (as bytes, wiped once sent). */
  async verifyCodeA(myNumber: string | Uint8Array): Promise<void> {
    let secret: Uint8Array;
    if (typeof myNumber === 'string') secret = verificationCodeABytes(myNumber);
    else if (myNumber.length === 12 && myNumber.every((b) => b >= 0x30 && b <= 0x39)) secret = myNumber;
    else throw new CardError('invalid_verification_code', 'verification number A is 12 digits');
    return this.verifyAt(SURFACE_AP_EF.codeA, secret, 'wrong_verification_code');
  }

  /** 照合番号B as one digit string (see secrets.ts for the two date forms). */
  async verifyCodeB(code: string): Promise<void> {
    return this.verifyAt(SURFACE_AP_EF.codeB, verificationCodeBBytes(code), 'wrong_verification_code');
  }

  async readSurface(): Promise<SurfaceRecord> {
    const file = await this.readEf(SURFACE_AP_EF.surface, { tag: SURFACE_TAG.record, maxBytes: MAX_SURFACE_RECORD_BYTES });
    return parseSurfaceRecord(file);
  }
}
