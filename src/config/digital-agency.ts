/**
 * PASS as a relying party of the Digital Agency's authentication app (デジタル認証アプリ):
 * which authorization server, which client, which key. The three are set together; in production
 * only the Digital Agency's own issuers over https are accepted. Outside production with none set,
 * PASS uses the development stand-in it serves itself (docs/jpki.md, "デジタル認証アプリ").
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Variables } from './schema.ts';

/** The Digital Agency's issuers (production, sandbox), as its API reference publishes the hosts. */
export const DIGITAL_AGENCY_ISSUERS = {
  production: 'https://auth-and-sign.go.jp/api/realms/main',
  sandbox: 'https://sb-auth-and-sign.go.jp/api/realms/main',
} as const;

const DIGITAL_AGENCY_HOSTS: Readonly<Record<string, 'production' | 'test'>> = {
  'auth-and-sign.go.jp': 'production',
  'sb-auth-and-sign.go.jp': 'test',
};

/** Where PASS serves its development stand-in, under its own issuer. */
export const STAND_IN_PATH = '/dev/digital-agency/realms/main';
/** The client id PASS uses with its own stand-in (the reference's form: letters and digits). */
export const STAND_IN_CLIENT_ID = 'PASSDEV0001';
/** Where the PASS app takes the answer of the authorization server. */
export const DIGITAL_AGENCY_CALLBACK_PATH = '/app/identity/digital-agency/callback';

export interface DigitalAgencyConfig {
  /** The issuer identifier, compared exactly with the ID token's `iss`. */
  issuer: string;
  clientId: string;
  /** An inline private JWK, or the resolved path of a PEM or JWK file; undefined for the stand-in's stored development key. */
  signingKey: string | undefined;
  redirectUri: string;
  /** production (auth-and-sign.go.jp), test (the sandbox) or development (anything else: a stand-in). */
  environment: 'production' | 'test' | 'development';
  /** This PASS serves the stand-in and uses it (development and tests with nothing configured). */
  standIn: boolean;
}

function environmentOf(issuer: string): DigitalAgencyConfig['environment'] {
  return DIGITAL_AGENCY_HOSTS[new URL(issuer).hostname] ?? 'development';
}

/**
 * The settings from the variables, or undefined when the phone path is off (production without
 * them). Problems go to `problems`, one line each, like every other setting.
 */
export function digitalAgencyConfig(v: Variables, issuer: string, production: boolean, cwd: string, problems: string[]): DigitalAgencyConfig | undefined {
  const set = [v.DIGITAL_AGENCY_ISSUER, v.DIGITAL_AGENCY_CLIENT_ID, v.DIGITAL_AGENCY_SIGNING_KEY].filter((value) => value !== undefined).length;
  const redirectUri = (v.DIGITAL_AGENCY_REDIRECT ?? `${issuer}${DIGITAL_AGENCY_CALLBACK_PATH}`).replace(/\/$/, '');
  if (set === 0) {
    if (production) return undefined;
    if (v.DIGITAL_AGENCY_REDIRECT) problems.push('DIGITAL_AGENCY_REDIRECT: only with DIGITAL_AGENCY_ISSUER (the stand-in answers the PASS app itself)');
    return { issuer: `${issuer}${STAND_IN_PATH}`, clientId: STAND_IN_CLIENT_ID, signingKey: undefined, redirectUri, environment: 'development', standIn: true };
  }
  if (set < 3) {
    problems.push('DIGITAL_AGENCY_ISSUER: set DIGITAL_AGENCY_ISSUER, DIGITAL_AGENCY_CLIENT_ID and DIGITAL_AGENCY_SIGNING_KEY together');
    return undefined;
  }
  const daIssuer = v.DIGITAL_AGENCY_ISSUER!.replace(/\/$/, '');
  const environment = environmentOf(daIssuer);
  if (production) {
    if (!daIssuer.startsWith('https://')) problems.push('DIGITAL_AGENCY_ISSUER: must be an https:// URL in production');
    else if (environment === 'development') {
      problems.push(
        `DIGITAL_AGENCY_ISSUER: development issuers (the stand-in) are refused in production; use ${DIGITAL_AGENCY_ISSUERS.production} or the sandbox ${DIGITAL_AGENCY_ISSUERS.sandbox}`,
      );
    }
    if (!redirectUri.startsWith('https://')) problems.push('DIGITAL_AGENCY_REDIRECT: must be an https:// URL in production');
  }
  const raw = v.DIGITAL_AGENCY_SIGNING_KEY!.trim();
  let signingKey = raw;
  if (!raw.startsWith('{')) {
    signingKey = path.resolve(cwd, raw);
    if (!existsSync(signingKey)) problems.push(`DIGITAL_AGENCY_SIGNING_KEY: ${signingKey} does not exist (a private JWK, or the path of a PEM or JWK file)`);
  }
  return { issuer: daIssuer, clientId: v.DIGITAL_AGENCY_CLIENT_ID!, signingKey, redirectUri, environment, standIn: false };
}
