/**
 * The 券面AP's surface record (EF 0002) as the simulator holds it, in the layout the card library
 * parses (src/card/surface-record.ts; JPKI.md §1.3): FF20 { DF21 offsets · DF22 birth date ·
 * DF23 sex · DF24 card public key (90 exponent · 91 modulus) · DF25 name image · DF26 address image ·
 * DF27 photo · DF28 signature · DF29 expiry · DF2A security code image }. The signature's real key
 * and coverage are UNCONFIRMED; the simulator signs DF22–DF27 with the data-signing key, and nobody
 * relies on it.
 */
import { sign, type KeyObject } from 'node:crypto';
import { tlv } from '../../households/text-ap/format.ts';
import { concatBytes, u16 } from '../bytes.ts';
import { SURFACE_TAG } from '../surface-record.ts';

function rsaPublicKeyField(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  const bytes = (b64url: string | undefined) => new Uint8Array(Buffer.from(b64url ?? '', 'base64url'));
  return concatBytes(tlv(0x90, bytes(jwk.e)), tlv(0x91, bytes(jwk.n)));
}

/** Stand-ins for the rendered text images, which PASS does not use. */
const placeholderImage = (label: string) => new TextEncoder().encode(`PASS-SIMULATOR-IMAGE:${label}`);

export function buildSurfaceRecord(input: {
  /** Gregorian YYYYMMDD. */
  birthdate: string;
  sex: string;
  expiry: string;
  photo: Uint8Array;
  cardKey: KeyObject;
  signingKey: KeyObject;
}): Uint8Array {
  const signed = [
    tlv(SURFACE_TAG.birthdate, new TextEncoder().encode(input.birthdate)),
    tlv(SURFACE_TAG.sex, new TextEncoder().encode(input.sex)),
    tlv(SURFACE_TAG.cardPublicKey, rsaPublicKeyField(input.cardKey)),
    tlv(SURFACE_TAG.nameImage, placeholderImage('name')),
    tlv(SURFACE_TAG.addressImage, placeholderImage('address')),
    tlv(SURFACE_TAG.photo, input.photo),
  ];
  const fields = [
    ...signed,
    tlv(SURFACE_TAG.signature, new Uint8Array(sign('sha256', concatBytes(...signed), input.signingKey))),
    tlv(SURFACE_TAG.expiry, new TextEncoder().encode(input.expiry)),
    tlv(SURFACE_TAG.securityCodeImage, placeholderImage('security-code')),
  ];
  // The offset table: where each field starts in the outer value, after the table itself.
  const tableLength = tlv(SURFACE_TAG.offsets, new Uint8Array(fields.length * 2)).length;
  let at = tableLength;
  const offsets = fields.map((field) => {
    const here = u16(at);
    at += field.length;
    return here;
  });
  return tlv(SURFACE_TAG.record, tlv(SURFACE_TAG.offsets, concatBytes(...offsets)), ...fields);
}
