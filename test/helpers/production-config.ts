// A complete production configuration with none of the development defaults, and what PASS's
// configuration check says about a variation of it: the tests of production's refusals share it.
import { loadConfig } from '../../src/config/load-config.ts';
import { ConfigurationError } from '../../src/core/errors.ts';
import { REPO_ROOT } from './pass.ts';

export const PRODUCTION = {
  NODE_ENV: 'production',
  ISSUER: 'https://pass.city.example.jp',
  DATABASE_URL: 'postgres://pass@db.internal:5432/pass',
  PASS_COOKIE_KEYS: 'a-production-cookie-key-of-sufficient-length-1',
  PASS_ENCRYPTION_KEYS: `k2026:${Buffer.alloc(32, 7).toString('base64')}`,
  PASS_PAIRWISE_SALT: 'production-pairwise-salt-value',
  PASS_IDENTITY_HASH_KEY: 'production-identity-hash-key-value',
  JPKI_TRUST_ANCHORS: '../shared/jpki/roots/sign_ca_2015.pem,../shared/jpki/roots/sign_ca_2023.pem',
  MAIL_TRANSPORT: 'smtp',
  SMTP_URL: 'smtp://mail.internal:587',
  SMS_TRANSPORT: 'http',
  SMS_GATEWAY_URL: 'https://sms.example.jp/send',
};

/** The problems the configuration check names for `env` ([] when PASS would start with it). */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, REPO_ROOT);
    return [];
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
}
