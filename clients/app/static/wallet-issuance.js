// OpenID for Verifiable Credential Issuance 1.0, the wallet's side, run in the phone's browser so
// the credential is bound to the phone's own key: credential issuer metadata → authorization
// server metadata → token (pre-authorized code) → nonce → proof of possession signed by the
// device key → credential. docs/wallet.md, "Holder (PASS app)".

export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
const FORMAT = 'dc+sd-jwt';
const PROOF_TYP = 'openid4vci-proof+jwt';
/** No answer of an issuer is anywhere near this; a bigger one is refused unread. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** A step of issuance that went wrong; `step` names it for the console, never the page (the page says one plain sentence). */
export class IssuanceError extends Error {
  constructor(step, detail) {
    super(`credential issuance failed at ${step}: ${detail}`);
    this.name = 'IssuanceError';
    this.step = step;
  }
}

function fail(step, detail) {
  throw new IssuanceError(step, detail);
}

/**
 * A metadata address for an issuer identifier: the well-known segment goes between the host and
 * the identifier's path (OpenID4VCI §12.2.2, RFC 8414 §3.1).
 */
export function wellKnownUrl(identifier, name) {
  const url = new URL(identifier);
  const pathPart = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/${name}${pathPart}`;
}

async function answer(step, response) {
  const text = await response.text();
  if (text.length > MAX_ANSWER_BYTES) fail(step, 'answer too large');
  let body;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    fail(step, `HTTP ${response.status}, not JSON`);
  }
  if (!response.ok) fail(step, `HTTP ${response.status} ${body?.error ?? ''}`);
  if (!body || typeof body !== 'object' || Array.isArray(body)) fail(step, 'not a JSON object');
  return body;
}

async function getJson(step, url) {
  let response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'omit', cache: 'no-store' });
  } catch (error) {
    fail(step, `network: ${error?.message ?? error}`);
  }
  return answer(step, response);
}

async function postJson(step, url, init) {
  let response;
  try {
    response = await fetch(url, { method: 'POST', credentials: 'omit', cache: 'no-store', ...init, headers: { accept: 'application/json', ...init.headers } });
  } catch (error) {
    fail(step, `network: ${error?.message ?? error}`);
  }
  return answer(step, response);
}

function https(step, value, issuer) {
  if (typeof value !== 'string') fail(step, 'endpoint missing');
  const url = new URL(value);
  // Plain HTTP only where the issuer itself is (development on localhost).
  if (url.protocol !== 'https:' && url.protocol !== new URL(issuer).protocol) fail(step, 'endpoint not https');
  return url.href;
}

/** The authorization server's metadata: RFC 8414 first, OpenID Connect discovery as the fallback. */
async function authorizationServer(identifier) {
  let metadata;
  try {
    metadata = await getJson('authorization server metadata', wellKnownUrl(identifier, 'oauth-authorization-server'));
  } catch {
    metadata = await getJson('authorization server metadata', `${identifier.replace(/\/$/, '')}/.well-known/openid-configuration`);
  }
  if (metadata.issuer !== identifier) fail('authorization server metadata', 'issuer mismatch');
  return metadata;
}

function base64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64urlJson(value) {
  return base64url(new TextEncoder().encode(JSON.stringify(value)));
}

/** A compact ES256 JWS; WebCrypto's ECDSA signature is already the r‖s form JWS wants. */
export async function signJwt(header, payload, privateKey) {
  const input = `${base64urlJson(header)}.${base64urlJson(payload)}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, new TextEncoder().encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

/** The issuer-signed JWT's payload of an SD-JWT (no verification: for checks of what was just received). */
export function issuerPayload(sdJwt) {
  const part = String(sdJwt).split('~')[0].split('.')[1];
  if (!part) fail('credential', 'not an SD-JWT');
  const text = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0))));
}

function sameKey(a, b) {
  return a && b && a.kty === b.kty && a.crv === b.crv && a.x === b.x && a.y === b.y;
}

/**
 * Redeems a credential offer (pre-authorized code) with the device key; answers the SD-JWT VC.
 * `clientId` is the PASS app's, sent with the token request as the design asks.
 */
export async function receiveCredential(offer, deviceKey, { clientId, now = () => Date.now() }) {
  const issuer = offer?.credential_issuer;
  const configurationId = offer?.credential_configuration_ids?.[0];
  const code = offer?.grants?.[PRE_AUTHORIZED_GRANT]?.['pre-authorized_code'];
  if (typeof issuer !== 'string' || typeof configurationId !== 'string' || typeof code !== 'string') fail('offer', 'not a pre-authorized offer');
  // A transaction code would have to be typed in by the resident; PASS's offers never ask for one.
  if (offer.grants[PRE_AUTHORIZED_GRANT].tx_code) fail('offer', 'transaction code not supported');

  const metadata = await getJson('credential issuer metadata', wellKnownUrl(issuer, 'openid-credential-issuer'));
  if (metadata.credential_issuer !== issuer) fail('credential issuer metadata', 'credential_issuer mismatch');
  const configuration = metadata.credential_configurations_supported?.[configurationId];
  if (!configuration || configuration.format !== FORMAT) fail('credential issuer metadata', `configuration ${configurationId} missing or not ${FORMAT}`);
  const jwtProof = configuration.proof_types_supported?.jwt;
  if (!jwtProof?.proof_signing_alg_values_supported?.includes('ES256')) fail('credential issuer metadata', 'no ES256 jwt proof');
  if (configuration.cryptographic_binding_methods_supported && !configuration.cryptographic_binding_methods_supported.includes('jwk')) fail('credential issuer metadata', 'no jwk binding');
  const credentialEndpoint = https('credential issuer metadata', metadata.credential_endpoint, issuer);

  const serverId = Array.isArray(metadata.authorization_servers) && metadata.authorization_servers.length ? metadata.authorization_servers[0] : issuer;
  const server = await authorizationServer(serverId);
  const tokenEndpoint = https('authorization server metadata', server.token_endpoint, issuer);

  const token = await postJson('token', tokenEndpoint, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: PRE_AUTHORIZED_GRANT, 'pre-authorized_code': code, client_id: clientId }).toString(),
  });
  if (typeof token.access_token !== 'string' || String(token.token_type).toLowerCase() !== 'bearer') fail('token', 'no bearer access token');

  let nonce = typeof token.c_nonce === 'string' ? token.c_nonce : undefined;
  if (metadata.nonce_endpoint) {
    const answered = await postJson('nonce', https('credential issuer metadata', metadata.nonce_endpoint, issuer), { headers: {} });
    if (typeof answered.c_nonce !== 'string') fail('nonce', 'no c_nonce');
    nonce = answered.c_nonce;
  }
  const payload = { aud: issuer, iat: Math.floor(now() / 1000), ...(nonce ? { nonce } : {}) };
  const proof = await signJwt({ typ: PROOF_TYP, alg: 'ES256', jwk: deviceKey.publicJwk }, payload, deviceKey.privateKey);

  const issued = await postJson('credential', credentialEndpoint, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token.access_token}` },
    body: JSON.stringify({ credential_configuration_id: configurationId, proofs: { jwt: [proof] } }),
  });
  const credential = issued.credentials?.[0]?.credential;
  if (typeof credential !== 'string') fail('credential', 'no credential in the answer');
  const claims = issuerPayload(credential);
  // What the wallet keeps must be bound to its own key, and be what it asked for.
  if (!sameKey(claims.cnf?.jwk, deviceKey.publicJwk)) fail('credential', 'not bound to this device key');
  if (claims.iss !== issuer) fail('credential', 'issued by another issuer');
  if (configuration.vct && claims.vct !== configuration.vct) fail('credential', 'another credential type');
  return { credential, configurationId, issuer, display: configuration.credential_metadata?.display ?? configuration.display ?? [] };
}
