/** The holder's side of OpenID4VCI in tests: a P-256 device key, proofs, and the pre-authorized flow over HTTP. */
import { createHash } from 'node:crypto';
import { decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { verifySDJWT } from '@meeco/sd-jwt';

type Json = Record<string, any>;

export const PRE_AUTH = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

export interface Holder {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newHolder(): Promise<Holder> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey: privateKey as CryptoKey, publicJwk: await exportJWK(publicKey) };
}

/** A proof JWT; `overrides` bends one part of it for the attacks. */
export async function proofJwt(
  holder: Holder,
  audience: string,
  nonce: string,
  overrides: { header?: Json; payload?: Json; signWith?: CryptoKey } = {},
): Promise<string> {
  return new SignJWT({ aud: audience, iat: Math.floor(Date.now() / 1000), nonce, ...overrides.payload })
    .setProtectedHeader({ typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: holder.publicJwk, ...overrides.header } as never)
    .sign(overrides.signWith ?? holder.privateKey);
}

export async function getJson(url: string): Promise<Json> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as Json;
}

export interface Answer {
  status: number;
  body: Json;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}

/** What a wallet finds from the credential issuer's URL: the endpoints it then calls. */
export async function discover(issuer: string): Promise<{ metadata: Json; tokenEndpoint: string }> {
  const metadata = await getJson(`${issuer}/.well-known/openid-credential-issuer`);
  // RFC 8414 §3.1: the metadata of an authorization server with a path sits at /.well-known/oauth-authorization-server<path>.
  const as = new URL(metadata.authorization_servers[0] as string);
  const asMetadata = await getJson(`${as.origin}/.well-known/oauth-authorization-server${as.pathname}`);
  if (asMetadata.issuer !== metadata.authorization_servers[0]) throw new Error('authorization server metadata names another issuer');
  return { metadata, tokenEndpoint: asMetadata.token_endpoint as string };
}

export async function redeem(tokenEndpoint: string, code: string, clientId = 'pass-app'): Promise<Answer> {
  return answer(
    await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: PRE_AUTH, 'pre-authorized_code': code, client_id: clientId }).toString(),
    }),
  );
}

export async function nonce(metadata: Json): Promise<string> {
  const response = await fetch(metadata.nonce_endpoint as string, { method: 'POST' });
  return ((await response.json()) as Json).c_nonce as string;
}

export async function requestCredential(metadata: Json, accessToken: string, configurationId: string, proof: string): Promise<Answer> {
  return answer(
    await fetch(metadata.credential_endpoint as string, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ credential_configuration_id: configurationId, proofs: { jwt: [proof] } }),
    }),
  );
}

/** The whole pre-authorized flow from an offer; returns the SD-JWT. */
export async function receive(issuer: string, offer: Json, holder: Holder): Promise<string> {
  const { metadata, tokenEndpoint } = await discover(issuer);
  const code = offer.grants[PRE_AUTH]['pre-authorized_code'] as string;
  const token = await redeem(tokenEndpoint, code);
  if (token.status !== 200) throw new Error(`token: ${JSON.stringify(token.body)}`);
  const proof = await proofJwt(holder, metadata.credential_issuer as string, await nonce(metadata));
  const credential = await requestCredential(metadata, token.body.access_token as string, offer.credential_configuration_ids[0] as string, proof);
  if (credential.status !== 200) throw new Error(`credential: ${JSON.stringify(credential.body)}`);
  return credential.body.credentials[0].credential as string;
}

/**
 * Verifies an SD-JWT with @meeco/sd-jwt (another implementation than the one PASS issues with),
 * the issuer's key found by `kid` at /.well-known/jwt-vc-issuer. Returns the claims with every disclosure.
 * With `binding`, it is a presentation: its key-binding JWT must be signed by the credential's `cnf` key,
 * for that audience and nonce, over exactly what was presented (`sd_hash`, which Meeco predates, checked here).
 */
export async function verifyIndependently(issuer: string, sdJwt: string, binding?: { aud: string; nonce: string }): Promise<Json> {
  const { jwks } = await getJson(`${issuer}/.well-known/jwt-vc-issuer`);
  const kid = decodeProtectedHeader(sdJwt.split('~')[0]!).kid;
  const jwk = (jwks.keys as JWK[]).find((k) => k.kid === kid);
  if (!jwk) throw new Error(`no published key ${kid}`);
  const key = await importJWK(jwk, 'ES256');
  const verifier = async (jwt: string) => Boolean(await jwtVerify(jwt, key, { typ: 'dc+sd-jwt' }));
  const getHasher = async (alg: string) => {
    if (alg !== 'sha-256') throw new Error(`unexpected _sd_alg ${alg}`);
    return (data: string) => createHash('sha256').update(data).digest('base64url');
  };
  if (!binding) return (await verifySDJWT(sdJwt, verifier, getHasher)) as Json;
  const presented = sdJwt.slice(0, sdJwt.lastIndexOf('~') + 1);
  let bound = false;
  const claims = await verifySDJWT(sdJwt, verifier, getHasher, {
    kb: {
      verifier: async (kbJwt: string, holderJwk: JWK) => {
        const { payload } = await jwtVerify(kbJwt, await importJWK(holderJwk, 'ES256'), { typ: 'kb+jwt', algorithms: ['ES256'], audience: binding.aud, maxTokenAge: 300 });
        bound = payload.nonce === binding.nonce && payload.sd_hash === createHash('sha256').update(presented).digest('base64url');
        return bound;
      },
    },
  });
  if (!bound) throw new Error('the key binding was not checked');
  return claims as Json;
}

/** The disclosures of an SD-JWT, decoded: [salt, name, value]. */
export function disclosures(sdJwt: string): unknown[][] {
  return sdJwt
    .split('~')
    .slice(1)
    .filter(Boolean)
    .map((d) => JSON.parse(Buffer.from(d, 'base64url').toString('utf8')) as unknown[]);
}

export function payloadOf(sdJwt: string): Json {
  return JSON.parse(Buffer.from(sdJwt.split('~')[0]!.split('.')[1]!, 'base64url').toString('utf8')) as Json;
}

/** Whether the status list at `uri` has the bit of `idx` set (the token's signature checked with the issuer's key). */
export async function statusBit(issuer: string, uri: string, idx: number): Promise<number> {
  const response = await fetch(uri);
  if (response.status !== 200) throw new Error(`${uri}: ${response.status}`);
  const token = await response.text();
  const { jwks } = await getJson(`${issuer}/.well-known/jwt-vc-issuer`);
  const kid = decodeProtectedHeader(token).kid;
  const key = await importJWK((jwks.keys as JWK[]).find((k) => k.kid === kid)!, 'ES256');
  const { payload } = await jwtVerify(token, key, { typ: 'statuslist+jwt' });
  const { inflateSync } = await import('node:zlib');
  const bytes = inflateSync(Buffer.from((payload.status_list as Json).lst as string, 'base64url'));
  return (bytes[idx >> 3]! >> (idx & 7)) & 1;
}
