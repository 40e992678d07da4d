/**
 * The verifier's side: an SD-JWT VC presentation with key binding, checked in a fixed order so the
 * cheapest and least trusting checks come first and a refusal names the first thing wrong:
 * size and shape → issuer known → typ → alg → issuer signature → iat/nbf/exp → vct → disclosures
 * (and only those asked for) → key binding → status list. Everything a verifier needs offline is
 * in the policy: the issuers' keys (their /.well-known/jwt-vc-issuer documents) and a status list
 * lookup with the time each list was fetched.
 *
 * Disclosures not asked for are refused, not dropped: the PASS app discloses exactly what is asked,
 * so more is a wallet that over-shares or a presentation made for another request; accepting it
 * would let a verifier quietly collect facts it never asked the resident for.
 */
import { refuse } from './errors.ts';
import { rebuildClaims, parseSdJwt, REGISTERED_CLAIMS, SD_JWT_VC_TYP } from './credential-parts.ts';
import { sha256Base64url } from './disclosures.ts';
import { ES256, importIssuerKey, importVerifyKey, jwkThumbprint, p256PublicJwk, verifyEs256, type PublicJwk } from './es256.ts';
import { parseCompactJws } from './compact-jws.ts';
import { isJsonObject, putProperty, type Json, type JsonObject } from './json.ts';
import { decodeStatusList, statusAt, STATUS_LIST_TYP, type DecodedStatusList } from './status-list.ts';
import type { PresentationReason } from './reasons.ts';

export const KB_JWT_TYP = 'kb+jwt';

/** An issuer's SD-JWT VC metadata, as `GET /.well-known/jwt-vc-issuer` answers it. */
export interface IssuerMetadata {
  issuer: string;
  jwks: { keys: readonly unknown[] };
}

export interface StatusListEntry {
  /** The status list token (compact JWT) as fetched from its URL. */
  token: string;
  fetchedAt: Date;
}

export interface PresentationPolicy {
  trustedIssuers: readonly IssuerMetadata[];
  /** What the KB-JWT's aud must be: this verifier's client id or origin. */
  audience: string;
  /** The nonce this verifier handed out for this one presentation. */
  nonce: string;
  now: Date;
  /** Allowed difference between the clocks of issuer, holder and verifier (default 60 s). */
  clockSkewSeconds?: number;
  /** How long after the holder signed the key binding it is still accepted (default 300 s). */
  maxKeyBindingAgeSeconds?: number;
  acceptedVcts: readonly string[];
  /** Top-level claim names this verifier asked for; a selectively disclosed claim outside them is refused. */
  requestedClaims: readonly string[];
  /** The cached status list for a URL, or undefined when this verifier has none. */
  statusList(uri: string): StatusListEntry | undefined | Promise<StatusListEntry | undefined>;
  /** The facility's policy: how old (since fetched) a status list may be and still be relied on. */
  maxStatusListAgeSeconds: number;
}

export interface VerifiedPresentation {
  vct: string;
  iss: string;
  /** The facts the presentation carries: always-disclosed ones and those the holder disclosed; no registered JWT claims. */
  claims: JsonObject;
  /** The top-level names of the claims the holder chose to disclose. */
  disclosedClaims: string[];
  /** RFC 7638 thumbprint of the holder key the presentation was bound to. */
  holderJwkThumbprint: string;
  /** When the status list used was fetched. */
  statusCheckedAt: Date;
  issuedAt: Date | undefined;
  expiresAt: Date;
}

const DEFAULT_SKEW_SECONDS = 60;
const DEFAULT_KB_AGE_SECONDS = 300;

interface IssuerKey {
  source: object;
  jwk: PublicJwk;
}

/** The key with this kid among an issuer's published keys, if it is one this verifier can use (EC P-256, for ES256 signing). */
function issuerKey(issuer: IssuerMetadata, kid: unknown, reason: PresentationReason): IssuerKey {
  if (typeof kid !== 'string') throw refuse(reason, 'the JWT names no kid');
  const keys = isJsonObject(issuer.jwks) && Array.isArray(issuer.jwks.keys) ? issuer.jwks.keys : [];
  const found = keys.find((key) => isJsonObject(key) && key.kid === kid);
  if (!isJsonObject(found)) throw refuse(reason, 'the issuer publishes no key with this kid');
  if ((found.alg !== undefined && found.alg !== ES256) || (found.use !== undefined && found.use !== 'sig')) throw refuse(reason, 'the key with this kid is not an ES256 signing key');
  return { source: found, jwk: p256PublicJwk(found, reason, 'the issuer key') };
}

const numberClaim = (payload: JsonObject, name: string, required: boolean): number | undefined => {
  const value = payload[name];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw refuse('presentation_malformed', `the credential's ${name} is ${value === undefined ? 'missing' : 'not a number'}`);
  return value;
};

const seconds = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * A verifier's own mistakes (no clock, an empty nonce, a NaN age) would make checks pass that must
 * fail, so they stop the verification as a programming error, not as a refusal of the resident.
 */
function assertPolicy(policy: PresentationPolicy): void {
  const problems = [
    !(typeof policy.now?.getTime === 'function' && Number.isFinite(policy.now.getTime())) && 'now',
    !(typeof policy.audience === 'string' && policy.audience) && 'audience',
    !(typeof policy.nonce === 'string' && policy.nonce) && 'nonce',
    !seconds(policy.maxStatusListAgeSeconds) && 'maxStatusListAgeSeconds',
    policy.clockSkewSeconds !== undefined && !seconds(policy.clockSkewSeconds) && 'clockSkewSeconds',
    policy.maxKeyBindingAgeSeconds !== undefined && !seconds(policy.maxKeyBindingAgeSeconds) && 'maxKeyBindingAgeSeconds',
    !Array.isArray(policy.trustedIssuers) && 'trustedIssuers',
    !Array.isArray(policy.acceptedVcts) && 'acceptedVcts',
    !Array.isArray(policy.requestedClaims) && 'requestedClaims',
    typeof policy.statusList !== 'function' && 'statusList',
  ].filter(Boolean);
  if (problems.length) throw new TypeError(`the presentation policy is not usable: ${problems.join(', ')}`);
}

export async function verifyPresentation(presentation: unknown, policy: PresentationPolicy): Promise<VerifiedPresentation> {
  assertPolicy(policy);
  const now = Math.floor(policy.now.getTime() / 1000);
  const skew = policy.clockSkewSeconds ?? DEFAULT_SKEW_SECONDS;

  // Size and shape.
  const parsed = parseSdJwt(presentation);
  const { header, payload, signingInput, signature } = parsed.issuerJwt;

  // Issuer known, typ, alg, signature by kid.
  const iss = payload.iss;
  const issuer = typeof iss === 'string' ? policy.trustedIssuers.find((candidate) => candidate.issuer === iss) : undefined;
  if (!issuer || typeof iss !== 'string') throw refuse('issuer_unknown', 'the credential names an issuer this verifier does not trust');
  if (header.typ !== SD_JWT_VC_TYP) throw refuse('credential_not_sd_jwt_vc', `the issuer JWT's typ is not ${SD_JWT_VC_TYP}`);
  if (header.alg !== ES256) throw refuse('algorithm_not_accepted', `the issuer JWT's alg ${JSON.stringify(header.alg)} is not ES256`);
  if (header.crit !== undefined) throw refuse('presentation_malformed', 'the issuer JWT has critical header members this verifier does not know');
  const key = issuerKey(issuer, header.kid, 'credential_signature_invalid');
  if (!(await verifyEs256(await importIssuerKey(key.source, key.jwk, 'credential_signature_invalid'), signature, signingInput))) {
    throw refuse('credential_signature_invalid', 'the issuer signature does not verify');
  }

  // Time.
  const iat = numberClaim(payload, 'iat', false);
  const nbf = numberClaim(payload, 'nbf', false);
  const exp = numberClaim(payload, 'exp', true)!;
  if (exp <= now - skew) throw refuse('credential_expired', 'the credential has expired');
  if ((nbf !== undefined && nbf > now + skew) || (iat !== undefined && iat > now + skew)) throw refuse('credential_not_yet_valid', 'the credential is not valid yet');

  // Type.
  if (typeof payload.vct !== 'string') throw refuse('credential_not_sd_jwt_vc', 'the credential has no vct');
  const vct = payload.vct;
  if (!policy.acceptedVcts.includes(vct)) throw refuse('credential_type_not_accepted', 'this verifier does not accept this credential type', { vct });

  // Disclosures: each one this credential's, and only those asked for.
  const { claims: rebuilt, disclosed } = await rebuildClaims(parsed);
  const disclosedClaims = [...new Set(disclosed.map((claim) => String(claim.path[0])))];
  const unasked = disclosedClaims.filter((name) => !policy.requestedClaims.includes(name));
  if (unasked.length) throw refuse('disclosure_not_requested', `disclosed without being asked: ${unasked.join(', ')}`, { claims: unasked });

  // Key binding.
  const holderJwk = await checkKeyBinding(parsed.split.keyBindingJwt, payload, parsed.split.presented, policy, now, skew);

  // Status.
  const statusCheckedAt = await checkStatus(payload, issuer, iss, policy, now, skew);

  const claims: JsonObject = {};
  for (const [name, value] of Object.entries(rebuilt)) if (!REGISTERED_CLAIMS.has(name)) putProperty(claims, name, value as Json);
  return {
    vct,
    iss,
    claims,
    disclosedClaims,
    holderJwkThumbprint: await jwkThumbprint(holderJwk),
    statusCheckedAt,
    issuedAt: iat === undefined ? undefined : new Date(iat * 1000),
    expiresAt: new Date(exp * 1000),
  };
}

async function checkKeyBinding(kbJwt: string | undefined, payload: JsonObject, presented: string, policy: PresentationPolicy, now: number, skew: number): Promise<PublicJwk> {
  if (kbJwt === undefined) throw refuse('key_binding_missing', 'the presentation has no key-binding JWT');
  const cnf = payload.cnf;
  if (!isJsonObject(cnf) || cnf.jwk === undefined) throw refuse('key_binding_missing', 'the credential binds no holder key (cnf.jwk)');
  const holderJwk = p256PublicJwk(cnf.jwk, 'key_binding_invalid', 'the holder key');
  const kb = parseCompactJws(kbJwt, 'key_binding_invalid', 'the key-binding JWT');
  if (kb.header.typ !== KB_JWT_TYP) throw refuse('key_binding_invalid', `the key-binding JWT's typ is not ${KB_JWT_TYP}`);
  if (kb.header.alg !== ES256) throw refuse('key_binding_invalid', "the key-binding JWT's alg is not ES256");
  if (kb.header.crit !== undefined) throw refuse('key_binding_invalid', 'the key-binding JWT has critical header members');
  const holderKey = await importVerifyKey(holderJwk, 'key_binding_invalid', 'the holder key');
  if (!(await verifyEs256(holderKey, kb.signature, kb.signingInput))) throw refuse('key_binding_invalid', 'the key-binding JWT is not signed by the holder key');
  if (kb.payload.aud !== policy.audience) throw refuse('presentation_audience_mismatch', 'the key-binding JWT is for another audience');
  if (typeof kb.payload.nonce !== 'string' || kb.payload.nonce !== policy.nonce) throw refuse('presentation_nonce_mismatch', "the key-binding JWT's nonce is not this request's");
  const iat = kb.payload.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw refuse('key_binding_invalid', 'the key-binding JWT has no iat');
  if (iat > now + skew) throw refuse('key_binding_invalid', 'the key-binding JWT was signed in the future');
  if (now - iat > (policy.maxKeyBindingAgeSeconds ?? DEFAULT_KB_AGE_SECONDS) + skew) throw refuse('presentation_stale', 'the key-binding JWT is too old');
  if (kb.payload.sd_hash !== (await sha256Base64url(presented))) throw refuse('key_binding_invalid', "the key-binding JWT's sd_hash does not match the presented credential");
  return holderJwk;
}

interface VerifiedList {
  list: DecodedStatusList;
  /** The issuer key that verified it: a cached list is trusted only while that key is still published. */
  keyId: string;
}

/** Verified, inflated status lists by token: a kiosk checks every presentation against the same few lists. */
const verifiedLists = new Map<string, Promise<VerifiedList>>();
const MAX_CACHED_LISTS = 16;
const keyIdOf = (iss: string, jwk: PublicJwk) => `${iss} ${jwk.kid} ${jwk.x} ${jwk.y}`;

async function verifyStatusListToken(token: string, issuer: IssuerMetadata, iss: string): Promise<VerifiedList> {
  const list = await decodeStatusList(token);
  const { header } = list.jws;
  if (header.typ !== STATUS_LIST_TYP) throw refuse('status_list_invalid', `the status list token's typ is not ${STATUS_LIST_TYP}`);
  if (header.alg !== ES256) throw refuse('status_list_invalid', "the status list token's alg is not ES256");
  const key = issuerKey(issuer, header.kid, 'status_list_invalid');
  if (!(await verifyEs256(await importIssuerKey(key.source, key.jwk, 'status_list_invalid'), list.jws.signature, list.jws.signingInput))) {
    throw refuse('status_list_invalid', "the status list token is not signed by the credential's issuer");
  }
  return { list, keyId: keyIdOf(iss, key.jwk) };
}

async function verifiedStatusList(token: string, issuer: IssuerMetadata, iss: string): Promise<DecodedStatusList> {
  const cached = verifiedLists.get(token);
  if (cached) {
    const hit = await cached.catch(() => undefined);
    if (hit) {
      const key = (() => {
        try {
          return issuerKey(issuer, hit.list.jws.header.kid, 'status_list_invalid');
        } catch {
          return undefined;
        }
      })();
      if (key && keyIdOf(iss, key.jwk) === hit.keyId) return hit.list;
    }
  }
  const verifying = verifyStatusListToken(token, issuer, iss);
  verifiedLists.delete(token);
  if (verifiedLists.size >= MAX_CACHED_LISTS) verifiedLists.delete(verifiedLists.keys().next().value!);
  verifiedLists.set(token, verifying);
  verifying.catch(() => verifiedLists.delete(token));
  return (await verifying).list;
}

async function checkStatus(payload: JsonObject, issuer: IssuerMetadata, iss: string, policy: PresentationPolicy, now: number, skew: number): Promise<Date> {
  const status = payload.status;
  const reference = isJsonObject(status) ? status.status_list : undefined;
  if (!isJsonObject(reference) || typeof reference.uri !== 'string' || typeof reference.idx !== 'number' || !Number.isSafeInteger(reference.idx) || reference.idx < 0) {
    throw refuse('presentation_malformed', 'the credential has no status list entry');
  }
  const { uri, idx } = reference;
  let entry: StatusListEntry | undefined;
  try {
    entry = await policy.statusList(uri);
  } catch {
    throw refuse('status_list_unavailable', 'the status list lookup failed');
  }
  if (!entry || typeof entry.token !== 'string' || typeof entry.fetchedAt?.getTime !== 'function' || Number.isNaN(entry.fetchedAt.getTime())) throw refuse('status_list_unavailable', 'this verifier holds no status list for the credential');
  if (now - entry.fetchedAt.getTime() / 1000 > policy.maxStatusListAgeSeconds) throw refuse('status_list_stale', 'the status list was fetched longer ago than the policy allows');
  const list = await verifiedStatusList(entry.token, issuer, iss);
  if (list.sub !== uri) throw refuse('status_list_invalid', 'the status list is for another URL');
  if (list.exp !== undefined && list.exp <= now - skew) throw refuse('status_list_stale', 'the status list has expired');
  const value = statusAt(list, idx);
  if (value !== 0) throw refuse('credential_revoked', 'the status list marks the credential invalid', { status: value });
  return entry.fetchedAt;
}
