/**
 * The bridge's check of PASS's pairing answer (pairing-assertion.ts): the signature with a key
 * from PASS's own JWKS, found through the discovery document of the origin the bridge is pinned
 * to (so the bridge trusts what that origin's TLS vouches for, nothing configured beside it), and
 * the type, issuer, audience and lifetime. Node only (the bridge); the kiosk page never checks it.
 */
import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { BRIDGE_REASONS } from './reasons.ts';
import { PAIRING_ASSERTION_SECONDS, PAIRING_ASSERTION_TYPE, PAIRING_AUDIENCE } from './pairing-assertion.ts';
import type { PairingGrant, PairingVerifier } from './pairing.ts';

const KIOSK_ID = /^kiosk-[A-Za-z0-9_-]{1,40}$/;

/** The check itself, against a given issuer and key set (the discovered ones, or a test's). */
export function assertionVerifier(issuer: string, keys: JWTVerifyGetKey): PairingVerifier {
  return async (assertion) => {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(assertion, keys, {
        issuer,
        audience: PAIRING_AUDIENCE,
        typ: PAIRING_ASSERTION_TYPE,
        algorithms: ['ES256'],
        requiredClaims: ['sub', 'nonce', 'exp', 'iat'],
        maxTokenAge: `${PAIRING_ASSERTION_SECONDS + 60}s`,
        clockTolerance: 5,
      }));
    } catch (error) {
      // PASS could not be asked for its keys: not the kiosk's fault.
      if (error instanceof joseErrors.JWKSTimeout || (error instanceof Error && !(error instanceof joseErrors.JOSEError))) {
        throw BRIDGE_REASONS.refuse('pass_unreachable', 'PASS keys could not be fetched');
      }
      throw BRIDGE_REASONS.refuse('pairing_refused', `PASS's pairing answer was not accepted: ${(error as Error).message}`);
    }
    const { sub, nonce, kiosk_name: name } = payload;
    if (typeof sub !== 'string' || !KIOSK_ID.test(sub) || typeof nonce !== 'string') throw BRIDGE_REASONS.refuse('pairing_refused', 'the pairing answer names no kiosk');
    return { kioskId: sub, kioskName: typeof name === 'string' ? name.slice(0, 100) : undefined, nonce } satisfies PairingGrant;
  };
}

/** A verifier with a fixed key set (tests). */
export function localAssertionVerifier(issuer: string, jwks: JSONWebKeySet): PairingVerifier {
  return assertionVerifier(issuer, createLocalJWKSet(jwks));
}

interface Discovery {
  issuer: string;
  jwks_uri: string;
}

/**
 * Discovers PASS at the bridge's origin (once, retried after a failure): its issuer and JWKS must
 * both be of that origin. The key set is fetched when needed and again for a key it does not hold
 * (PASS rotates its keys).
 */
export function passAssertionVerifier(origin: string, fetcher: typeof fetch = fetch): PairingVerifier {
  let discovered: Promise<PairingVerifier> | undefined;
  const discover = async (): Promise<PairingVerifier> => {
    let body: Partial<Discovery>;
    try {
      const response = await fetcher(`${origin}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`discovery answered HTTP ${response.status}`);
      body = (await response.json()) as Partial<Discovery>;
    } catch (error) {
      throw BRIDGE_REASONS.refuse('pass_unreachable', `PASS at ${origin} could not be reached: ${(error as Error).message}`);
    }
    const sameOrigin = (url: unknown) => typeof url === 'string' && URL.canParse(url) && new URL(url).origin === origin;
    if (!sameOrigin(body.issuer) || !sameOrigin(body.jwks_uri)) throw BRIDGE_REASONS.refuse('pass_unreachable', `the discovery document at ${origin} is not PASS's`);
    return assertionVerifier(body.issuer!, createRemoteJWKSet(new URL(body.jwks_uri!), { timeoutDuration: 10_000, [customFetch]: fetcher }));
  };
  return async (assertion) => {
    discovered ??= discover();
    const verify = await discovered.catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return verify(assertion);
  };
}
