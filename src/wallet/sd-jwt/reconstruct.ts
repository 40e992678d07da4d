/**
 * The claims an SD-JWT discloses, rebuilt from the signed payload and the disclosures sent
 * (SD-JWT §7.1): each digest in an `_sd` array or a `{"...": digest}` array entry is replaced by
 * its disclosure's claim, recursively; digests without a disclosure are dropped. Refused: a digest
 * that appears twice (in the payload or across disclosures), a disclosure no digest names, a
 * disclosed name that is already a claim of its object, an object disclosure in an array slot or
 * the reverse, and nesting beyond the limit.
 */
import { refuse } from './errors.ts';
import { isJsonObject, putProperty, type Json, type JsonObject } from './json.ts';
import { SD_JWT_LIMITS } from './limits.ts';
import type { Disclosure } from './disclosures.ts';

export type ClaimPath = Array<string | number>;

export interface DisclosedClaim {
  /** Where the claim sits in the rebuilt claims, e.g. ["address"] or ["nationalities", 0]. */
  path: ClaimPath;
  disclosure: Disclosure;
  /** The digest of the disclosure whose value holds this one's digest; undefined at the signed payload. */
  parent: string | undefined;
}

export interface Reconstructed {
  claims: JsonObject;
  /** Every disclosure used, in the order its digest was met. */
  disclosed: DisclosedClaim[];
}

export const SD_HASH_ALGORITHM = 'sha-256';

export function reconstructClaims(payload: JsonObject, disclosures: readonly Disclosure[]): Reconstructed {
  const alg = payload._sd_alg;
  if (alg !== undefined && alg !== SD_HASH_ALGORITHM) throw refuse('presentation_malformed', `the _sd_alg ${JSON.stringify(alg)} is not supported (sha-256 only)`);
  const byDigest = new Map<string, Disclosure>();
  for (const disclosure of disclosures) {
    if (byDigest.has(disclosure.digest)) throw refuse('disclosure_invalid', 'the same disclosure is sent twice');
    byDigest.set(disclosure.digest, disclosure);
  }
  const seen = new Set<string>();
  const disclosed: DisclosedClaim[] = [];

  const digestMet = (digest: Json): digest is string => {
    if (typeof digest !== 'string') throw refuse('presentation_malformed', 'a digest is not text');
    if (seen.has(digest)) throw refuse('disclosure_invalid', 'a digest appears more than once');
    seen.add(digest);
    return byDigest.has(digest);
  };

  const walk = (value: Json, path: ClaimPath, depth: number, parent: string | undefined): Json => {
    if (depth > SD_JWT_LIMITS.maxDepth) throw refuse('presentation_too_large', `the claims are nested deeper than ${SD_JWT_LIMITS.maxDepth}`);
    if (Array.isArray(value)) {
      const out: Json[] = [];
      for (const element of value) {
        if (isJsonObject(element) && Object.hasOwn(element, '...')) {
          if (Object.keys(element).length !== 1) throw refuse('presentation_malformed', 'an array digest entry has other members');
          const digest = element['...']!;
          if (!digestMet(digest)) continue;
          const disclosure = byDigest.get(digest)!;
          if (disclosure.name !== undefined) throw refuse('disclosure_invalid', 'a claim disclosure stands in an array slot');
          const at = [...path, out.length];
          disclosed.push({ path: at, disclosure, parent });
          out.push(walk(disclosure.value, at, depth + 1, disclosure.digest));
        } else {
          out.push(walk(element, [...path, out.length], depth + 1, parent));
        }
      }
      return out;
    }
    if (!isJsonObject(value)) return value;
    const out: JsonObject = {};
    for (const [name, member] of Object.entries(value)) {
      if (name === '_sd' || (depth === 0 && name === '_sd_alg')) continue;
      putProperty(out, name, walk(member, [...path, name], depth + 1, parent));
    }
    const digests = value._sd;
    if (digests === undefined) return out;
    if (!Array.isArray(digests)) throw refuse('presentation_malformed', '_sd is not an array');
    for (const digest of digests) {
      if (!digestMet(digest)) continue;
      const disclosure = byDigest.get(digest)!;
      if (disclosure.name === undefined) throw refuse('disclosure_invalid', 'an array-element disclosure stands in an object');
      if (Object.hasOwn(out, disclosure.name)) throw refuse('disclosure_invalid', 'a disclosed claim name is already a claim of its object');
      const at = [...path, disclosure.name];
      disclosed.push({ path: at, disclosure, parent });
      putProperty(out, disclosure.name, walk(disclosure.value, at, depth + 1, disclosure.digest));
    }
    return out;
  };

  const claims = walk(payload, [], 0, undefined) as JsonObject;
  if (disclosed.length !== byDigest.size) throw refuse('disclosure_invalid', 'a disclosure belongs to no digest of this credential');
  return { claims, disclosed };
}
