/**
 * Server-side verification of data read from the text-input-support AP (JPKI.md §1.2 steps 1–4),
 * as far as PASS can support it:
 *   1. EF 0004 certifies the AP's data-signing key under a trusted issuer key (by key id);
 *   2. DF33 in EF 0003 is that key's RSASSA-PKCS1-v1_5/SHA-256 signature over the bytes of EF 0003
 *      that precede DF33;
 *   3. DF32 equals SHA-256 of EF 0002's value without the DF21 table (DF31, the hash of the My
 *      Number file, is covered by the signature but not checked: PASS never takes EF 0001);
 *   4. card presence: EF 0007's card AP key is certified by the same issuer key (DF52 over DF51),
 *      and the card signed PASS's fresh challenge with it.
 * The J-LIS issuer keys' provenance is unconfirmed, so only configured keys are trusted: in
 * development the PASS development text-AP issuer. Proofs this way are lower assurance than the
 * signature certificate: the 4-digit PIN opens the files, but no certificate of the person exists.
 */
import { createHash, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { decodeEf0002, ef0002HashedPart, parseFile, TAG, TlvError, type TextApFacts } from './format.ts';

export interface TextApRead {
  ef0002: Uint8Array;
  ef0003: Uint8Array;
  ef0004: Uint8Array;
  ef0007: Uint8Array;
  /** The card AP key's signature over the challenge (PKCS#1 v1.5, SHA-256 DigestInfo). */
  challengeSignature: Uint8Array;
}

export interface TextApVerification {
  facts: TextApFacts;
  issuerKeyId: string;
  /** SHA-256 (hex, uppercase) of the card AP key: identifies the card, not the person. */
  cardKeyId: string;
}

export class TextApError extends Error {}

function rsaVerify(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify('sha256', data, key, signature);
  } catch {
    return false;
  }
}

function spki(bytes: Uint8Array): KeyObject {
  try {
    const key = createPublicKey({ key: Buffer.from(bytes), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'rsa' || (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw new TextApError('keys must be RSA-2048 or longer');
    return key;
  } catch (error) {
    if (error instanceof TextApError) throw error;
    throw new TextApError('not a public key');
  }
}

const ISO = /^(\d{4})(\d{2})(\d{2})$/;

export function verifyTextApRead(read: TextApRead, challenge: Uint8Array, issuers: ReadonlyMap<string, KeyObject>): TextApVerification {
  try {
    // 1. The data-signing key, certified by a trusted issuer key.
    const cvc = parseFile(read.ef0004, TAG.cvc);
    const keyIdTlv = cvc.members.get(TAG.caKeyId);
    const keyTlv = cvc.members.get(TAG.publicKey);
    const cvcSig = cvc.members.get(TAG.cvcSignature);
    if (!keyIdTlv || !keyTlv || !cvcSig) throw new TextApError('EF 0004 is incomplete');
    const issuerKeyId = Buffer.from(keyIdTlv.value).toString('latin1');
    const issuer = issuers.get(issuerKeyId);
    if (!issuer) throw new TextApError('EF 0004 is certified by an unknown issuer key');
    const certified = cvc.outer.value.subarray(0, cvcSig.start);
    if (!rsaVerify(issuer, certified, cvcSig.value)) throw new TextApError('EF 0004 signature is invalid');
    const dataKey = spki(keyTlv.value);

    // 2. The integrity record's signature.
    const integrity = parseFile(read.ef0003, TAG.ef0003);
    const sig = integrity.members.get(TAG.signature);
    const hash2 = integrity.members.get(TAG.hashEf0002);
    if (!sig || !hash2) throw new TextApError('EF 0003 is incomplete');
    const signedPart = read.ef0003.subarray(0, integrity.outer.end - integrity.outer.value.length + sig.start);
    if (!rsaVerify(dataKey, signedPart, sig.value)) throw new TextApError('EF 0003 signature is invalid');

    // 3. EF 0002 is the file the record vouches for.
    const actual = createHash('sha256').update(ef0002HashedPart(read.ef0002)).digest();
    if (hash2.value.length !== 32 || !timingSafeEqual(actual, hash2.value)) throw new TextApError('EF 0002 does not match its integrity record');

    // 4. The card is present: its AP key is the issuer's, and it signed this challenge.
    const card = parseFile(read.ef0007, TAG.ef0007);
    const cardKeyTlv = card.members.get(TAG.cardKey);
    const issuerSig = card.members.get(TAG.issuerSignature);
    if (!cardKeyTlv || !issuerSig || !rsaVerify(issuer, cardKeyTlv.value, issuerSig.value)) throw new TextApError('EF 0007 is not certified by the issuer');
    if (!rsaVerify(spki(cardKeyTlv.value), challenge, read.challengeSignature)) throw new TextApError('the card did not sign the challenge');

    const facts = decodeEf0002(read.ef0002);
    if (!ISO.test(facts.birthdate) || !['1', '2', '3', '9'].includes(facts.sex) || !facts.name.trim() || !facts.address.trim()) {
      throw new TextApError('EF 0002 holds malformed facts');
    }
    return { facts, issuerKeyId, cardKeyId: createHash('sha256').update(cardKeyTlv.value).digest('hex').toUpperCase() };
  } catch (error) {
    if (error instanceof TlvError) throw new TextApError(`malformed card data: ${error.message}`);
    throw error;
  }
}

/** The card's date YYYYMMDD as an ISO date. */
export function isoBirthdate(cardDate: string): string {
  const m = ISO.exec(cardDate)!;
  return `${m[1]}-${m[2]}-${m[3]}`;
}
