/**
 * The holder's proof of possession at the credential endpoint (OpenID4VCI 1.0 Appendix F.1): a JWT
 * with header `{typ: "openid4vci-proof+jwt", alg: "ES256", jwk}` signed by that very key, payload
 * `{aud: <credential issuer>, iat, nonce: <a c_nonce PASS handed out>}`. The key becomes the
 * credential's `cnf.jwk`, so only a public P-256 key is taken: a private part would mean the
 * holder's key has left its device.
 */
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { WALLET_REASONS } from './reasons.ts';

export const PROOF_TYP = 'openid4vci-proof+jwt';
/** How old a proof may be, and how far a phone's clock may run ahead. */
const MAX_AGE_SECONDS = 300;
const CLOCK_SKEW_SECONDS = 60;
const MAX_PROOF_LENGTH = 4096;

export interface CheckedProof {
  jwk: JWK;
  thumbprint: string;
  nonce: string;
}

const refuse = (description: string) => WALLET_REASONS.refuse('invalid_proof', description);

function holderKey(header: Record<string, unknown>): JWK {
  const jwk = header.jwk as Record<string, unknown> | undefined;
  if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) throw refuse('the proof header carries no jwk');
  if ('kid' in header || 'x5c' in header || 'trust_chain' in header) throw refuse('the proof header must name its key by jwk alone');
  if ('d' in jwk) throw refuse('the jwk holds a private key');
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw refuse('the jwk must be a P-256 public key');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/** Checks a proof; the nonce it carries is the caller's to spend (one use). */
export async function checkProof(proof: string, audience: string, now: Date = new Date()): Promise<CheckedProof> {
  if (proof.length > MAX_PROOF_LENGTH) throw refuse('the proof is too long');
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(proof) as Record<string, unknown>;
  } catch {
    throw refuse('the proof is not a JWT');
  }
  if (header.typ !== PROOF_TYP) throw refuse(`the proof's typ must be ${PROOF_TYP}`);
  if (header.alg !== 'ES256') throw refuse('the proof must be signed with ES256');
  const jwk = holderKey(header);
  let payload: Record<string, unknown>;
  try {
    const key = await importJWK(jwk, 'ES256');
    ({ payload } = await jwtVerify(proof, key, {
      algorithms: ['ES256'],
      typ: PROOF_TYP,
      audience,
      currentDate: now,
      clockTolerance: CLOCK_SKEW_SECONDS,
      maxTokenAge: MAX_AGE_SECONDS,
      requiredClaims: ['iat', 'nonce'],
    }));
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (error as { claim?: string }).claim === 'aud') throw refuse('the proof is not for this credential issuer (aud)');
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw refuse('the proof is not signed by the key in its header');
    throw refuse(`the proof was refused: ${code || 'malformed'}`);
  }
  if (typeof payload.iat !== 'number' || payload.iat > now.getTime() / 1000 + CLOCK_SKEW_SECONDS) throw refuse('the proof was made in the future (iat)');
  if (typeof payload.nonce !== 'string' || payload.nonce.length === 0 || payload.nonce.length > 256) throw WALLET_REASONS.refuse('invalid_nonce', 'the proof carries no usable nonce');
  return { jwk, thumbprint: await calculateJwkThumbprint(jwk), nonce: payload.nonce };
}
