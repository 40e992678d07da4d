/**
 * The holder's side, run by the PASS app's page: what a credential holds (for the resident to
 * read before approving), and a presentation of only the approved claims with a key-binding JWT
 * signed by the device's non-extractable key. The issuer's signature is not checked here: the app
 * received the credential from PASS over TLS, and a verifier checks it anyway.
 */
import { refuse } from './errors.ts';
import { parseSdJwt, rebuildClaims, REGISTERED_CLAIMS, type ParsedSdJwt } from './credential-parts.ts';
import { sha256Base64url } from './disclosures.ts';
import { ES256, signEs256Jws } from './es256.ts';
import type { Json } from './json.ts';
import type { Reconstructed } from './reconstruct.ts';
import { KB_JWT_TYP } from './verifier.ts';

export interface ClaimView {
  name: string;
  value: Json;
}

export interface CredentialDescription {
  vct: string | undefined;
  iss: string | undefined;
  issuedAt: Date | undefined;
  expiresAt: Date | undefined;
  /** Claims the resident chooses to disclose or not, one per top-level name, with their values. */
  disclosable: ClaimView[];
  /** Facts every presentation carries (e.g. the verification evidence summary): shown so the resident knows. */
  alwaysDisclosed: ClaimView[];
}

export interface PresentOptions {
  /** Top-level claim names to disclose (what the resident approved). */
  disclose: readonly string[];
  /** The verifier's audience and nonce, from its request. */
  aud: string;
  nonce: string;
  /** The device's P-256 private key (non-extractable), whose public key is the credential's cnf.jwk. */
  key: CryptoKey;
  now: Date;
}

const seconds = (value: Json | undefined): Date | undefined => (typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000) : undefined);

async function openCredential(sdJwt: string): Promise<{ parsed: ParsedSdJwt; rebuilt: Reconstructed }> {
  const parsed = parseSdJwt(sdJwt);
  if (parsed.split.keyBindingJwt !== undefined) throw refuse('presentation_malformed', 'a held credential carries no key-binding JWT; this is a presentation');
  return { parsed, rebuilt: await rebuildClaims(parsed) };
}

export async function describeCredential(sdJwt: string): Promise<CredentialDescription> {
  const { parsed, rebuilt } = await openCredential(sdJwt);
  const { payload } = parsed.issuerJwt;
  const disclosableNames = new Set(rebuilt.disclosed.map((claim) => String(claim.path[0])));
  const facts = Object.entries(rebuilt.claims).filter(([name]) => !REGISTERED_CLAIMS.has(name));
  return {
    vct: typeof payload.vct === 'string' ? payload.vct : undefined,
    iss: typeof payload.iss === 'string' ? payload.iss : undefined,
    issuedAt: seconds(payload.iat),
    expiresAt: seconds(payload.exp),
    disclosable: facts.filter(([name]) => disclosableNames.has(name)).map(([name, value]) => ({ name, value })),
    alwaysDisclosed: facts.filter(([name]) => !disclosableNames.has(name)).map(([name, value]) => ({ name, value })),
  };
}

export async function presentCredential(sdJwt: string, options: PresentOptions): Promise<string> {
  const { disclose, aud, nonce, key, now } = options;
  if (typeof aud !== 'string' || aud === '' || typeof nonce !== 'string' || nonce === '') throw refuse('presentation_malformed', 'the request gives no audience or nonce');
  if (!Array.isArray(disclose) || !disclose.every((name) => typeof name === 'string')) throw refuse('presentation_malformed', 'the claims to disclose are not a list of names');
  if (key?.type !== 'private' || (key.algorithm as { namedCurve?: string }).namedCurve !== 'P-256' || !key.usages.includes('sign')) {
    throw refuse('key_binding_invalid', 'the holder key is not a P-256 signing key');
  }
  const { parsed, rebuilt } = await openCredential(sdJwt);
  const wanted = new Set(disclose);
  const chosen = new Set(rebuilt.disclosed.filter((claim) => wanted.has(String(claim.path[0]))).map((claim) => claim.disclosure.encoded));
  for (const name of wanted) {
    const plain = Object.hasOwn(rebuilt.claims, name) && !REGISTERED_CLAIMS.has(name);
    if (!plain) throw refuse('disclosure_invalid', `the credential has no claim named ${JSON.stringify(name)}`);
  }
  // Disclosures keep the credential's order: the presentation then says nothing about the order the resident ticked them in.
  const kept = parsed.split.disclosures.filter((encoded) => chosen.has(encoded));
  const presented = `${parsed.split.issuerJwt}~${kept.map((d) => `${d}~`).join('')}`;
  const kbJwt = await signEs256Jws(
    { typ: KB_JWT_TYP, alg: ES256 },
    { iat: Math.floor(now.getTime() / 1000), aud, nonce, sd_hash: await sha256Base64url(presented) },
    key,
  );
  return `${presented}${kbJwt}`;
}
