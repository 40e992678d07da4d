/**
 * What PASS signs when staff pair a kiosk's card bridge (docs/card.md, "Pairing"), shared by the
 * signer (src/kiosk/card-reader-pairing.ts) and the bridge's check (pass-verifier.ts): a compact
 * JWS with PASS's current signing key, naming the kiosk and echoing the bridge's one-time nonce.
 *   header  { alg: ES256, kid, typ: "pass-card-bridge+jwt" }
 *   payload { iss, aud: "pass-card-bridge", sub: <kiosk id>, kiosk_name, nonce, jti, iat, exp }
 * No imports: PASS's server loads this without the bridge's HTTP parts.
 */
export const PAIRING_ASSERTION_TYPE = 'pass-card-bridge+jwt';
export const PAIRING_AUDIENCE = 'pass-card-bridge';
/** How long PASS's answer is good for: the kiosk page hands it to the bridge at once. */
export const PAIRING_ASSERTION_SECONDS = 120;
/** The bridge's nonce: 32 random bytes, base64url. */
export const PAIRING_NONCE = /^[A-Za-z0-9_-]{43}$/;
