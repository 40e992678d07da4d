/** Shared setup for the JPKI tests: development CAs, keys and a verifier wired to a CRL checker. */
import type { KeyObject } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DevJpkiCa, generateRsaKeyPair } from '../../src/jpki/dev-ca.ts';
import type { ResidentFacts } from '../../src/jpki/dev-ca.ts';
import { parseTrustAnchors } from '../../src/jpki/trust-anchors.ts';
import type { TrustAnchor } from '../../src/jpki/trust-anchors.ts';
import { CachingCrlProvider } from '../../src/jpki/revocation/crl-provider.ts';
import { CrlRevocationChecker } from '../../src/jpki/revocation/crl-revocation-checker.ts';
import { createJpkiVerifier } from '../../src/jpki/verify.ts';
import type { JpkiVerifierConfig } from '../../src/jpki/verify.ts';
import { PassError } from '../../src/core/errors.ts';

export const ROOTS_DIR = '/work/shared/jpki/roots';
export const realRootPaths = (): string[] => readdirSync(ROOTS_DIR).map((f) => join(ROOTS_DIR, f)).sort();

export const T0 = new Date('2026-04-01T00:00:00Z');
export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

export const TARO: ResidentFacts = {
  name: '加賀　太郎',
  birthdate: '1980-02-17',
  sex: '1',
  address: '石川県加賀市作見町ル２５番地１',
  prefecture: 'Ishikawa-ken',
  municipality: 'Kaga-shi',
};

export const HANAKO: ResidentFacts = { ...TARO, name: '加賀　花子', birthdate: '1984-07-03', sex: '2' };

/** TARO's basic four as PASS releases them (OpenID claims). */
export const TARO_CLAIMS = {
  name: '加賀　太郎',
  family_name: '加賀',
  given_name: '太郎',
  birthdate: '1980-02-17',
  gender: 'male',
  address: { formatted: '石川県加賀市作見町ル２５番地１', country_code: 'JPN' },
} as const;

export interface Pki {
  signCa: DevJpkiCa;
  authCa: DevJpkiCa;
  otherCa: DevJpkiCa;
  anchors: TrustAnchor[];
  keys: { privateKey: KeyObject; publicKey: KeyObject }[];
}

/** Two CAs plus an unconfigured one, and a handful of resident keys (RSA generation is the slow part). */
export function createPki(residentKeys = 3): Pki {
  const signCa = DevJpkiCa.create({ kind: 'signature', now: new Date(T0.getTime() - 365 * DAY) });
  const authCa = DevJpkiCa.create({ kind: 'user_authentication', now: new Date(T0.getTime() - 365 * DAY) });
  const otherCa = DevJpkiCa.create({ kind: 'signature', now: new Date(T0.getTime() - 365 * DAY) });
  const anchors = parseTrustAnchors([
    { source: 'dev-sign', data: signCa.certificateDer },
    { source: 'dev-auth', data: authCa.certificateDer },
  ]);
  const keys = Array.from({ length: residentKeys }, () => generateRsaKeyPair());
  return { signCa, authCa, otherCa, anchors, keys };
}

export interface Harness {
  now: { value: Date };
  provider: CachingCrlProvider;
  crls: Map<string, Uint8Array>;
  verifier: ReturnType<typeof createJpkiVerifier>;
}

/** A verifier with an injectable clock and in-memory CRL sources for both CAs. */
export function harness(pki: Pki, overrides: Partial<JpkiVerifierConfig> = {}, maxCrlAgeMs = 2 * DAY): Harness {
  const now = { value: T0 };
  const clock = (): Date => now.value;
  const crls = new Map<string, Uint8Array>([
    ['sign.crl', pki.signCa.issueCrl({ thisUpdate: new Date(T0.getTime() - HOUR), nextUpdate: new Date(T0.getTime() + DAY) })],
    ['auth.crl', pki.authCa.issueCrl({ thisUpdate: new Date(T0.getTime() - HOUR), nextUpdate: new Date(T0.getTime() + DAY) })],
  ]);
  const provider = new CachingCrlProvider({
    sources: [...crls.keys()].map((name) => ({ kind: 'bytes' as const, name, data: crls.get(name)! })),
    issuers: pki.anchors.map((a) => a.certificate),
    now: clock,
  });
  const revocation = new CrlRevocationChecker({ provider, maxCrlAgeMs, now: clock });
  const verifier = createJpkiVerifier({
    trustAnchors: pki.anchors,
    revocation,
    allowTestPolicies: true,
    now: clock,
    ...overrides,
  });
  return { now, provider, crls, verifier };
}

/** The error's machine reason, or 'ok'. */
export async function reasonOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
    return 'ok';
  } catch (err) {
    if (err instanceof PassError) return err.reason;
    throw err;
  }
}

export const challengeBytes = (s = 'test challenge'): Uint8Array => new TextEncoder().encode(s);
