/**
 * The parts of an SD-JWT VC that both the holder and the verifier read: split, the issuer JWT
 * decoded, the disclosures decoded and the claims rebuilt. No signature is checked here.
 */
import { decodeBase64url } from './base64url.ts';
import { parseCompactJws, type CompactJws } from './compact-jws.ts';
import { refuse } from './errors.ts';
import { jsonDepth } from './json.ts';
import { SD_JWT_LIMITS } from './limits.ts';
import { decodeDisclosure, type Disclosure } from './disclosures.ts';
import { reconstructClaims, type Reconstructed } from './reconstruct.ts';
import { splitSdJwt, type SplitSdJwt } from './split.ts';

export const SD_JWT_VC_TYP = 'dc+sd-jwt';

/** Claims of the credential itself rather than facts about the resident: never offered for disclosure, never returned as facts. */
export const REGISTERED_CLAIMS = new Set(['iss', 'iat', 'nbf', 'exp', 'vct', 'vct#integrity', 'cnf', 'status', 'sub', 'jti', 'aud']);

export interface ParsedSdJwt {
  split: SplitSdJwt;
  issuerJwt: CompactJws;
}

/** Size, split and the issuer JWT's shape: everything before any crypto. */
export function parseSdJwt(text: unknown): ParsedSdJwt {
  const split = splitSdJwt(text);
  const issuerJwt = parseCompactJws(split.issuerJwt, 'presentation_malformed', 'the issuer JWT');
  // Disclosures are decoded for real after the issuer's signature (a bad one is disclosure_invalid);
  // only their nesting is bounded here, so no deep value waits behind the crypto.
  for (const encoded of split.disclosures) {
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64url(encoded, 'disclosure_invalid', 'a disclosure');
    } catch {
      continue;
    }
    if (jsonDepth(String.fromCharCode(...bytes)) > SD_JWT_LIMITS.maxDepth) throw refuse('presentation_too_large', `a disclosure is nested deeper than ${SD_JWT_LIMITS.maxDepth}`);
  }
  return { split, issuerJwt };
}

export async function decodeDisclosures(split: SplitSdJwt): Promise<Disclosure[]> {
  return Promise.all(split.disclosures.map((encoded) => decodeDisclosure(encoded)));
}

export async function rebuildClaims(parsed: ParsedSdJwt): Promise<Reconstructed> {
  return reconstructClaims(parsed.issuerJwt.payload, await decodeDisclosures(parsed.split));
}
