/**
 * PASS's side of pairing, for the bridge tests that run without a PASS: an ES256 key standing in
 * for PASS's signing key, its public JWKS for the bridge's check, and the signed answer PASS gives
 * a kiosk page (the same claims src/kiosk/card-reader-pairing.ts signs).
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { PAIRING_ASSERTION_TYPE, PAIRING_AUDIENCE } from '../../../src/card/bridge/pairing-assertion.ts';
import { localAssertionVerifier } from '../../../src/card/bridge/pass-verifier.ts';
import type { PairingVerifier } from '../../../src/card/bridge/pairing.ts';

export interface TestPassSigner {
  issuer: string;
  verifier: PairingVerifier;
  /** PASS's answer for a kiosk; `overrides` bend one thing at a time (a forged, stale or misaddressed answer). */
  sign(kioskId: string, nonce: string, overrides?: { typ?: string; aud?: string; iss?: string; exp?: number; iat?: number; key?: CryptoKey }): Promise<string>;
}

export async function testPassSigner(issuer: string): Promise<TestPassSigner> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'pass-test', alg: 'ES256', use: 'sig' };
  return {
    issuer,
    verifier: localAssertionVerifier(issuer, { keys: [jwk] }),
    async sign(kioskId, nonce, o = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ nonce, kiosk_name: '入口' })
        .setProtectedHeader({ alg: 'ES256', kid: 'pass-test', typ: o.typ ?? PAIRING_ASSERTION_TYPE })
        .setIssuer(o.iss ?? issuer)
        .setAudience(o.aud ?? PAIRING_AUDIENCE)
        .setSubject(kioskId)
        .setJti(randomBytes(8).toString('hex'))
        .setIssuedAt(o.iat ?? now)
        .setExpirationTime(o.exp ?? now + 120)
        .sign(o.key ?? privateKey);
    },
  };
}
