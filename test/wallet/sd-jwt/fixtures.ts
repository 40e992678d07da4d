// Credentials, holder keys and status lists made the way PASS's issuer makes them: the SD-JWT VC
// by @sd-jwt/sd-jwt-vc with an ES256 test key, the status list by @sd-jwt/jwt-status-list (pako's
// zlib) and signed by jose. Nothing here uses the core under test, so a round trip through it is
// a check against another implementation, not against itself.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { SDJwtVcInstance, type SdJwtVcPayload } from '@sd-jwt/sd-jwt-vc';
import { StatusList } from '@sd-jwt/jwt-status-list';
import type { DisclosureFrame } from '@sd-jwt/types';
import { SignJWT } from 'jose';
import { AGE_THRESHOLDS } from '../../../src/claims/catalog.ts';
import type { IssuerMetadata, PresentationPolicy, PublicJwk, StatusListEntry } from '../../../src/wallet/sd-jwt/index.ts';

export const ISSUER = 'https://pass.test.example.jp';
export const VERIFIER = 'https://bus.test.example.jp';
export const STATUS_URI = `${ISSUER}/wallet/status-lists/1`;
export const VCT = {
  resident: 'urn:pass:vct:verified-resident:1',
  age: 'urn:pass:vct:age:1',
  residency: 'urn:pass:vct:residency:1',
} as const;

export interface TestIssuer {
  issuer: string;
  kid: string;
  privateKey: KeyObject;
  publicJwk: PublicJwk;
  metadata: IssuerMetadata;
}

export function makeIssuer(issuer = ISSUER, kid = `test-${randomBytes(4).toString('hex')}`): TestIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  const publicJwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid };
  return { issuer, kid, privateKey, publicJwk, metadata: { issuer, jwks: { keys: [{ ...publicJwk, use: 'sig', alg: 'ES256' }] } } };
}

export interface Holder {
  key: CryptoKey;
  publicJwk: PublicJwk;
}

/** A device key as the PASS app makes it: the private half non-extractable. */
export async function makeHolder(): Promise<Holder> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as { privateKey: CryptoKey; publicKey: CryptoKey };
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { key: pair.privateKey, publicJwk: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } };
}

export const sha256 = (data: string | ArrayBuffer): Uint8Array => new Uint8Array(createHash('sha256').update(typeof data === 'string' ? data : new Uint8Array(data)).digest());

export function sdJwtVc(issuer: TestIssuer): SDJwtVcInstance {
  return new SDJwtVcInstance({
    signer: (data: string) => sign('sha256', Buffer.from(data), { key: issuer.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url'),
    signAlg: 'ES256',
    hasher: sha256,
    hashAlg: 'sha-256',
    saltGenerator: (length: number) => randomBytes(length).toString('base64url'),
  });
}

export type Kind = keyof typeof VCT;

export interface IssueOptions {
  holder: PublicJwk;
  idx?: number;
  uri?: string;
  /** Seconds since the epoch. */
  iat?: number;
  exp?: number;
  /** Replaces or adds payload members (e.g. a wrong vct). */
  extra?: Record<string, unknown>;
  header?: Record<string, unknown>;
}

export const RESIDENT_FACTS = {
  name: '加賀 太郎',
  birthdate: '1980-02-17',
  gender: 'male',
  address: { formatted: '石川県加賀市作見町ル２５番地１' },
};

export function factsOf(kind: Kind): { facts: Record<string, unknown>; disclosable: string[] } {
  if (kind === 'resident') {
    return {
      facts: { ...RESIDENT_FACTS, verification: { trust_framework: 'jp_my_number_card', time: '2026-04-01T09:00:00Z', evidence: [{ type: 'electronic_signature', method: 'jpki' }] } },
      disclosable: ['name', 'birthdate', 'gender', 'address'],
    };
  }
  if (kind === 'age') {
    const facts = Object.fromEntries(AGE_THRESHOLDS.map((n) => [`age_over_${n}`, 46 >= n]));
    return { facts, disclosable: Object.keys(facts) };
  }
  return { facts: { resident_of: '172065' }, disclosable: ['resident_of'] };
}

/** A credential as PASS issues it: `<issuer-jwt>~<disclosure>~…~`. */
export async function issueCredential(issuer: TestIssuer, kind: Kind, options: IssueOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { facts, disclosable } = factsOf(kind);
  const payload = {
    iss: issuer.issuer,
    iat: options.iat ?? now,
    exp: options.exp ?? now + 365 * 86_400,
    vct: VCT[kind],
    cnf: { jwk: options.holder },
    status: { status_list: { idx: options.idx ?? 0, uri: options.uri ?? STATUS_URI } },
    ...facts,
    ...options.extra,
  } as SdJwtVcPayload;
  const frame = { _sd: disclosable } as DisclosureFrame<SdJwtVcPayload>;
  return sdJwtVc(issuer).issue(payload, frame, { header: { typ: 'dc+sd-jwt', kid: issuer.kid, ...options.header } });
}

export interface StatusListOptions {
  uri?: string;
  revoked?: number[];
  size?: number;
  iat?: number;
  exp?: number;
  typ?: string;
  kid?: string;
}

/** A status list token as PASS publishes it: one bit per credential, 1 = invalid. */
export async function statusListToken(issuer: TestIssuer, options: StatusListOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const list = new StatusList(new Array<number>(options.size ?? 1024).fill(0), 1);
  for (const idx of options.revoked ?? []) list.setStatus(idx, 1);
  return new SignJWT({ sub: options.uri ?? STATUS_URI, ttl: 300, status_list: { bits: 1, lst: list.compressStatusList() } })
    .setProtectedHeader({ typ: options.typ ?? 'statuslist+jwt', alg: 'ES256', kid: options.kid ?? issuer.kid })
    .setIssuedAt(options.iat ?? now)
    .setExpirationTime(options.exp ?? now + 86_400)
    .sign(issuer.privateKey);
}

export interface PolicyOptions extends Partial<Omit<PresentationPolicy, 'statusList'>> {
  lists?: Record<string, StatusListEntry>;
}

/** A bus verifier asking for age ≥ 65, with the issuer's keys and a fresh status list cached. */
export function policyFor(issuer: TestIssuer, nonce: string, statusToken: string, options: PolicyOptions = {}): PresentationPolicy {
  const { lists, ...rest } = options;
  const cached: Record<string, StatusListEntry> = lists ?? { [STATUS_URI]: { token: statusToken, fetchedAt: new Date() } };
  return {
    trustedIssuers: [issuer.metadata],
    audience: VERIFIER,
    nonce,
    now: new Date(),
    acceptedVcts: Object.values(VCT),
    requestedClaims: ['age_over_65'],
    statusList: (uri) => cached[uri],
    maxStatusListAgeSeconds: 3600,
    ...rest,
  };
}

export const newNonce = (): string => randomBytes(16).toString('base64url');
