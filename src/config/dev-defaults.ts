/**
 * Development-only secrets. They are public (they are in this file), so they make local
 * start-up need no setup, and production start-up refuses every one of them.
 */
export const DEV_COOKIE_KEYS = ['pass-dev-cookie-key-not-for-production-0001'];
/** 32 bytes, base64: "dev" key for encrypting signing keys, client secrets and face templates. */
export const DEV_ENCRYPTION_KEYS = ['dev:cGFzcy1kZXYtZW5jcnlwdGlvbi1rZXktMzJieXRlcyE='];
export const DEV_PAIRWISE_SALT = 'pass-dev-pairwise-salt-not-for-production';
export const DEV_IDENTITY_HASH_KEY = 'pass-dev-identity-hash-key-not-for-production';

export function isDevelopmentSecret(value: string): boolean {
  return (
    DEV_COOKIE_KEYS.includes(value) ||
    DEV_ENCRYPTION_KEYS.includes(value) ||
    value === DEV_PAIRWISE_SALT ||
    value === DEV_IDENTITY_HASH_KEY ||
    /not-for-production|^dev:/i.test(value)
  );
}
