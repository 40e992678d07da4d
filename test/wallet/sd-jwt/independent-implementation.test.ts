// The SD-JWT core against an implementation by other authors (@meeco/sd-jwt, from the npm
// registry): Meeco's verifier accepts a presentation the core's holder made, key binding included
// (checked in Meeco's key-binding hook with jose), and the core's verifier accepts a credential
// Meeco issued and a presentation assembled with Meeco's own helpers.
import { createHash } from 'node:crypto';
import { combineSDJWT, decodeSDJWT, issueSDJWT, verifySDJWT } from '@meeco/sd-jwt';
import { decodeProtectedHeader, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { presentCredential, verifyPresentation } from '../../../src/wallet/sd-jwt/index.ts';
import { keyBinding } from './attack-kit.ts';
import { issueCredential, makeHolder, makeIssuer, newNonce, policyFor, STATUS_URI, statusListToken, VCT, VERIFIER, type Holder, type TestIssuer } from './fixtures.ts';

const hasher = (data: string): string => createHash('sha256').update(data).digest('base64url');
const getHasher = async (alg: string) => {
  if (alg.toLowerCase() !== 'sha-256') throw new Error(`unexpected _sd_alg ${alg}`);
  return hasher;
};

let issuer: TestIssuer;
let holder: Holder;
let statusToken: string;

beforeAll(async () => {
  issuer = makeIssuer();
  holder = await makeHolder();
  statusToken = await statusListToken(issuer);
});

/** Meeco's verification with jose doing the signatures; the KB hook also checks aud, nonce and sd_hash (Meeco predates sd_hash). */
async function meecoVerify(presentation: string, nonce: string): Promise<Record<string, unknown>> {
  const issuerKey = await importJWK(issuer.publicJwk as JWK, 'ES256');
  const presented = presentation.slice(0, presentation.lastIndexOf('~') + 1);
  let kbChecked = false;
  const claims = await verifySDJWT(
    presentation,
    async (jwt: string) => Boolean(await jwtVerify(jwt, issuerKey, { typ: 'dc+sd-jwt', algorithms: ['ES256'] })),
    getHasher,
    {
      kb: {
        verifier: async (kbJwt: string, holderJwk: JWK) => {
          const { payload } = await jwtVerify(kbJwt, await importJWK(holderJwk, 'ES256'), { typ: 'kb+jwt', algorithms: ['ES256'], audience: VERIFIER, maxTokenAge: 300 });
          kbChecked = payload.nonce === nonce && payload.sd_hash === hasher(presented);
          return kbChecked;
        },
      },
    },
  );
  expect(kbChecked).toBe(true);
  return claims as Record<string, unknown>;
}

test("Meeco's verifier accepts the core's presentation, with only the chosen disclosure", async () => {
  const credential = await issueCredential(issuer, 'age', { holder: holder.publicJwk });
  const nonce = newNonce();
  const presentation = await presentCredential(credential, { disclose: ['age_over_65'], aud: VERIFIER, nonce, key: holder.key, now: new Date() });
  const claims = await meecoVerify(presentation, nonce);
  expect(claims).toMatchObject({ iss: issuer.issuer, vct: VCT.age, age_over_65: false });
  expect(Object.keys(claims).filter((k) => k.startsWith('age_over_'))).toEqual(['age_over_65']);
});

test("Meeco's verifier rejects the core's presentation once a disclosure is dropped after key binding", async () => {
  const credential = await issueCredential(issuer, 'resident', { holder: holder.publicJwk });
  const nonce = newNonce();
  const presentation = await presentCredential(credential, { disclose: ['name', 'birthdate'], aud: VERIFIER, nonce, key: holder.key, now: new Date() });
  const parts = presentation.split('~');
  const shortened = [parts[0], parts[1], parts.at(-1)].join('~');
  await expect(meecoVerify(shortened, nonce)).rejects.toThrow();
});

test("the core's verifier accepts a credential Meeco issued and a presentation put together with Meeco's helpers", async () => {
  const privateJwk = issuer.privateKey.export({ format: 'jwk' });
  const signingKey = await importJWK(privateJwk as JWK, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  const credential = await issueSDJWT(
    { alg: 'ES256', kid: issuer.kid, typ: 'dc+sd-jwt' },
    { iss: issuer.issuer, iat: now, exp: now + 3600, vct: VCT.residency, status: { status_list: { idx: 5, uri: STATUS_URI } }, resident_of: '172065', name: '加賀 太郎' },
    { _sd: ['resident_of', 'name'] },
    {
      signer: async (header, payload) => (await new SignJWT(payload).setProtectedHeader(header).sign(signingKey)).split('.').pop()!,
      hash: { alg: 'sha-256', callback: hasher },
      cnf: { jwk: { ...holder.publicJwk } },
    },
  );
  expect(decodeProtectedHeader(credential.split('~')[0]!)).toMatchObject({ typ: 'dc+sd-jwt', alg: 'ES256' });
  const decoded = decodeSDJWT(credential);
  const chosen = decoded.disclosures.filter((d) => d.key === 'resident_of').map((d) => d.disclosure);
  const jwt = credential.split('~')[0]!;
  const presented = combineSDJWT(jwt, chosen);
  const nonce = newNonce();
  const presentation = combineSDJWT(jwt, chosen, await keyBinding(presented, holder.key, { aud: VERIFIER, nonce }));
  const result = await verifyPresentation(presentation, policyFor(issuer, nonce, statusToken, { requestedClaims: ['resident_of'] }));
  expect(result.claims).toEqual({ resident_of: '172065' });
  expect(result.vct).toBe(VCT.residency);
});
