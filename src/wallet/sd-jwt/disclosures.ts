/**
 * Disclosures (SD-JWT §4.2): base64url of `[salt, name, value]` for an object property or
 * `[salt, value]` for an array element. A disclosure is named by its digest: SHA-256 over its
 * base64url text exactly as sent.
 */
import { decodeBase64urlText, encodeBase64url } from './base64url.ts';
import { refuse } from './errors.ts';
import { parseJson, type Json } from './json.ts';

export interface Disclosure {
  /** The base64url text as sent. */
  encoded: string;
  digest: string;
  salt: string;
  /** The claim name, for an object property; undefined for an array element. */
  name: string | undefined;
  value: Json;
}

/** Names a disclosure may not give a claim: the SD-JWT's own markers, and a key that would reach an object's prototype. */
const RESERVED_NAMES = new Set(['_sd', '...', '_sd_alg', '__proto__']);

export async function sha256Base64url(text: string): Promise<string> {
  return encodeBase64url(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

export async function decodeDisclosure(encoded: string): Promise<Disclosure> {
  const parsed = parseJson(decodeBase64urlText(encoded, 'disclosure_invalid', 'a disclosure'), 'disclosure_invalid', 'a disclosure');
  if (!Array.isArray(parsed) || (parsed.length !== 2 && parsed.length !== 3)) throw refuse('disclosure_invalid', 'a disclosure is not an array of 2 or 3 elements');
  const salt = parsed[0];
  if (typeof salt !== 'string') throw refuse('disclosure_invalid', 'a disclosure has no salt');
  let name: string | undefined;
  if (parsed.length === 3) {
    if (typeof parsed[1] !== 'string') throw refuse('disclosure_invalid', 'a disclosure names its claim with something other than text');
    name = parsed[1];
    if (RESERVED_NAMES.has(name)) throw refuse('disclosure_invalid', `a disclosure uses the reserved claim name ${JSON.stringify(name)}`);
  }
  return { encoded, digest: await sha256Base64url(encoded), salt, name, value: parsed.at(-1)! };
}
