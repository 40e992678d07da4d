/**
 * The 券面AP's surface record, EF 0002 (JPKI.md §1.3): one `FF20` record read in order — the
 * offset table, date of birth, sex, the card's public key, the name and address as images, the
 * face photo (JPEG 2000), a signature, the expiry date and the security code as an image. Tags
 * DF21–DF2A follow the layout measured by soltia48/myna-card (JPKI.md §12 [src:myna-card]); the
 * order agrees with siketyan/jpki-rs. The signature's key and algorithm are UNCONFIRMED, so it is
 * returned, not checked: the photo is card-sourced evidence bound to the session by the JPKI
 * signature made in the same card session (JPKI.md §1.3).
 */
import { asciiText, bytesEqual } from './bytes.ts';
import { readRecord, requireMember } from './ber-tlv.ts';
import { CardError } from './errors.ts';

export const SURFACE_TAG = {
  record: 0xff20,
  offsets: 0xdf21,
  birthdate: 0xdf22,
  sex: 0xdf23,
  cardPublicKey: 0xdf24,
  nameImage: 0xdf25,
  addressImage: 0xdf26,
  photo: 0xdf27,
  signature: 0xdf28,
  expiry: 0xdf29,
  securityCodeImage: 0xdf2a,
} as const;

export type PhotoFormat = 'jp2' | 'j2k';

export interface SurfaceRecord {
  /** Gregorian YYYYMMDD, as on the card. */
  birthdate: string;
  /** One ASCII digit as the card holds it ('1' male, '2' female, others not recorded). */
  sex: string;
  cardPublicKey: Uint8Array;
  nameImage: Uint8Array;
  addressImage: Uint8Array;
  /** The face photo: a JPEG 2000 file (JP2) or bare codestream (J2K). Compare, then discard: never store it. */
  photo: Uint8Array;
  photoFormat: PhotoFormat;
  signature: Uint8Array;
  /** Gregorian YYYYMMDD. */
  expiry: string;
  securityCodeImage: Uint8Array;
}

const JP2_SIGNATURE = Uint8Array.from([0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a]);
/** SOC then SIZ: every JPEG 2000 codestream starts so. */
const J2K_START = Uint8Array.from([0xff, 0x4f, 0xff, 0x51]);

export function photoFormatOf(photo: Uint8Array): PhotoFormat | undefined {
  if (photo.length >= JP2_SIGNATURE.length && bytesEqual(photo.subarray(0, JP2_SIGNATURE.length), JP2_SIGNATURE)) return 'jp2';
  if (photo.length >= J2K_START.length && bytesEqual(photo.subarray(0, J2K_START.length), J2K_START)) return 'j2k';
  return undefined;
}

function date(value: Uint8Array, what: string): string {
  const text = asciiText(value);
  if (!/^[0-9]{8}$/.test(text)) throw new CardError('malformed_response', `the ${what} is not YYYYMMDD`);
  return text;
}

export function parseSurfaceRecord(file: Uint8Array): SurfaceRecord {
  const { members } = readRecord(file, SURFACE_TAG.record, 16);
  const get = (tag: number, what: string) => requireMember(members, tag, what).slice();
  const sex = get(SURFACE_TAG.sex, 'sex');
  if (sex.length !== 1 || sex[0]! < 0x30 || sex[0]! > 0x39) throw new CardError('malformed_response', 'the sex is not one digit');
  const photo = get(SURFACE_TAG.photo, 'photo');
  const photoFormat = photoFormatOf(photo);
  if (!photoFormat) throw new CardError('malformed_response', 'the photo is not JPEG 2000');
  return {
    birthdate: date(get(SURFACE_TAG.birthdate, 'date of birth'), 'date of birth'),
    sex: asciiText(sex),
    cardPublicKey: get(SURFACE_TAG.cardPublicKey, 'public key'),
    nameImage: get(SURFACE_TAG.nameImage, 'name image'),
    addressImage: get(SURFACE_TAG.addressImage, 'address image'),
    photo,
    photoFormat,
    signature: get(SURFACE_TAG.signature, 'signature'),
    expiry: date(get(SURFACE_TAG.expiry, 'expiry date'), 'expiry date'),
    securityCodeImage: get(SURFACE_TAG.securityCodeImage, 'security code image'),
  };
}
