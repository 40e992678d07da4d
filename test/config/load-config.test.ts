import { loadConfig } from '../../src/config/load-config.ts';
import { ConfigurationError } from '../../src/core/errors.ts';
import { REPO_ROOT } from '../helpers/pass.ts';

const PRODUCTION = {
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

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env, REPO_ROOT);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  test('defaults need nothing: embedded database in ./data, issuer on the port, demo data on', () => {
    const config = loadConfig({}, REPO_ROOT);
    expect(config.port).toBe(3000);
    expect(config.issuer).toBe('http://localhost:3000');
    expect(config.database.url).toBeUndefined();
    expect(config.dataDir).toBe(`${REPO_ROOT}data`);
    expect(config.redisUrl).toBeUndefined();
    expect(config.demoData).toBe(true);
    expect(config.jpki.allowTestCards).toBe(true);
  });

  test('Redis is reached by redis://, rediss:// or a Unix socket path', () => {
    for (const url of ['redis://redis.internal:6379/1', 'rediss://:secret@redis.example.jp', 'unix:///run/redis/redis.sock', 'unix:///run/redis/redis.sock?db=2&password=secret']) {
      expect(loadConfig({ REDIS_URL: url }, REPO_ROOT).redisUrl).toBe(url);
    }
  });

  test('the issuer follows PORT unless ISSUER is given', () => {
    expect(loadConfig({ PORT: '8080' }, REPO_ROOT).issuer).toBe('http://localhost:8080');
    expect(loadConfig({ ISSUER: 'https://id.example.jp/' }, REPO_ROOT).issuer).toBe('https://id.example.jp');
  });

  test('a complete production configuration is accepted', () => {
    expect(problems(PRODUCTION)).toEqual([]);
    const config = loadConfig(PRODUCTION, REPO_ROOT);
    expect(config.production).toBe(true);
    expect(config.demoData).toBe(false);
    expect(config.jpki.allowTestCards).toBe(false);
  });

  test.each([
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must be a postgres/],
    [{ DATABASE_URL: 'postgres://' }, /^DATABASE_URL: /],
    [{ REDIS_URL: 'localhost:6379' }, /^REDIS_URL: must be a redis/],
    [{ REDIS_URL: 'unix://relative/redis.sock' }, /^REDIS_URL: must be a redis:\/\/, rediss:\/\/ or unix:/],
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ ACCOUNT_CACHE_SECONDS: '-1' }, /^ACCOUNT_CACHE_SECONDS: /],
    [{ ISSUER: 'ftp://x' }, /^ISSUER: /],
    [{ PASS_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' }, /^PASS_ENCRYPTION_KEYS: each entry/],
    [{ MAIL_TRANSPORT: 'smtp' }, /^SMTP_URL: required/],
  ])('%o is refused with one clear line', (env, message) => {
    const lines = problems(env as Record<string, string>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  test('production refuses a non-https issuer, missing and development keys, test cards, outboxes and demo data', () => {
    expect(problems({ ...PRODUCTION, ISSUER: 'http://pass.city.example.jp' })).toEqual(['ISSUER: must be an https:// URL in production']);
    expect(problems({ ...PRODUCTION, PASS_COOKIE_KEYS: '' })).toEqual(['PASS_COOKIE_KEYS: required in production']);
    expect(problems({ ...PRODUCTION, PASS_ENCRYPTION_KEYS: 'dev:cGFzcy1kZXYtZW5jcnlwdGlvbi1rZXktMzJieXRlcyE=' })).toEqual([
      'PASS_ENCRYPTION_KEYS: development keys are refused in production',
    ]);
    expect(problems({ ...PRODUCTION, JPKI_ALLOW_TEST_CARDS: 'true' })).toEqual([
      'JPKI_ALLOW_TEST_CARDS: test cards and test trust anchors are refused in production',
    ]);
    expect(problems({ ...PRODUCTION, MAIL_TRANSPORT: 'outbox' })[0]).toMatch(/outbox is development-only/);
    expect(problems({ ...PRODUCTION, PASS_DEMO_DATA: 'true' })).toEqual(['PASS_DEMO_DATA: demo data is refused in production']);
    const { DATABASE_URL: _omitted, ...noDatabase } = PRODUCTION;
    expect(problems(noDatabase)).toEqual(['DATABASE_URL: required in production (the embedded database is for development)']);
  });

  test('every problem is reported at once', () => {
    const lines = problems({ NODE_ENV: 'production', ISSUER: 'http://x.example' });
    expect(lines.length).toBeGreaterThanOrEqual(6);
    expect(lines).toEqual(expect.arrayContaining(['ISSUER: must be an https:// URL in production', 'PASS_COOKIE_KEYS: required in production']));
  });
});
