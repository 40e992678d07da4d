/**
 * The 券面事項入力補助AP's files as the development issuer makes them — the same formats and
 * signatures as src/households/text-ap/dev-card.ts, so src/households/text-ap/verify.ts accepts
 * them: EF 0002 the basic four, EF 0003 the integrity record signed by the data-signing key, EF 0004
 * that key certified by the issuer key (by key id), EF 0007 the card AP key certified by the issuer.
 * EF 0001 holds the My Number with its filler, and DF31 hashes it as stored (JPKI.md §1.2).
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { encodeEf0002, ef0002HashedPart, TAG, tlv, type TextApFacts } from '../../households/text-ap/format.ts';
import { concatBytes } from '../bytes.ts';

export interface TextApIssuerKey {
  /** The issuer key id EF 0004 names (the development one: DEV_TEXT_AP_KEY_ID). */
  keyId: string;
  privateKey: KeyObject;
}

export interface TextApFiles {
  ef0001: Uint8Array;
  ef0002: Uint8Array;
  ef0003: Uint8Array;
  ef0004: Uint8Array;
  ef0007: Uint8Array;
}

/** EF 0001: FF10 0C <12 ASCII digits>. */
const MY_NUMBER_TAG = 0xff10;

const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());
const spki = (key: KeyObject) => new Uint8Array(key.export({ type: 'spki', format: 'der' }));

export function buildTextApFiles(input: {
  facts: TextApFacts;
  myNumber: string;
  issuer: TextApIssuerKey;
  dataKey: { privateKey: KeyObject; publicKey: KeyObject };
  cardKey: { publicKey: KeyObject };
}): TextApFiles {
  const { issuer } = input;
  // FF10 0C <12 digits>, then filler as on a real card.
  const ef0001 = concatBytes(tlv(MY_NUMBER_TAG, new TextEncoder().encode(input.myNumber)), Uint8Array.of(0xff, 0xff));
  const ef0002 = encodeEf0002(input.facts);
  const certifiedBody = concatBytes(tlv(TAG.caKeyId, new TextEncoder().encode(issuer.keyId)), tlv(TAG.publicKey, spki(input.dataKey.publicKey)));
  const ef0004 = tlv(TAG.cvc, certifiedBody, tlv(TAG.cvcSignature, new Uint8Array(sign('sha256', certifiedBody, issuer.privateKey))));
  // EF 0003: the outer header already counts the 256-byte signature that follows the signed part.
  const hashes = concatBytes(tlv(TAG.hashEf0001, sha256(ef0001)), tlv(TAG.hashEf0002, sha256(ef0002HashedPart(ef0002))));
  const signatureLength = tlv(TAG.signature, new Uint8Array(256)).length;
  const header = tlv(TAG.ef0003, new Uint8Array(hashes.length + signatureLength)).subarray(0, -(hashes.length + signatureLength));
  const signedPart = concatBytes(header, hashes);
  const ef0003 = concatBytes(signedPart, tlv(TAG.signature, new Uint8Array(sign('sha256', signedPart, input.dataKey.privateKey))));
  const cardKey = spki(input.cardKey.publicKey);
  const ef0007 = tlv(TAG.ef0007, tlv(TAG.cardKey, cardKey), tlv(TAG.issuerSignature, new Uint8Array(sign('sha256', cardKey, issuer.privateKey))));
  return { ef0001, ef0002, ef0003, ef0004, ef0007 };
}
