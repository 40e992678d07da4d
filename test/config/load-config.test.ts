import { loadConfig } from '../../src/config/load-config.ts';
import { REPO_ROOT } from '../helpers/pass.ts';
import { configProblems, PRODUCTION } from '../helpers/production-config.ts';

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
    expect(configProblems(PRODUCTION)).toEqual([]);
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
    const lines = configProblems(env as Record<string, string>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  test('production refuses a non-https issuer, missing and development keys, test cards, outboxes and demo data', () => {
    expect(configProblems({ ...PRODUCTION, ISSUER: 'http://pass.city.example.jp' })).toEqual(['ISSUER: must be an https:// URL in production']);
    expect(configProblems({ ...PRODUCTION, PASS_COOKIE_KEYS: '' })).toEqual(['PASS_COOKIE_KEYS: required in production']);
    expect(configProblems({ ...PRODUCTION, PASS_ENCRYPTION_KEYS: 'dev:cGFzcy1kZXYtZW5jcnlwdGlvbi1rZXktMzJieXRlcyE=' })).toEqual([
      'PASS_ENCRYPTION_KEYS: development keys are refused in production',
    ]);
    expect(configProblems({ ...PRODUCTION, JPKI_ALLOW_TEST_CARDS: 'true' })).toEqual([
      'JPKI_ALLOW_TEST_CARDS: test cards and test trust anchors are refused in production',
    ]);
    expect(configProblems({ ...PRODUCTION, MAIL_TRANSPORT: 'outbox' })[0]).toMatch(/outbox is development-only/);
    expect(configProblems({ ...PRODUCTION, PASS_DEMO_DATA: 'true' })).toEqual(['PASS_DEMO_DATA: demo data is refused in production']);
    const { DATABASE_URL: _omitted, ...noDatabase } = PRODUCTION;
    expect(configProblems(noDatabase)).toEqual(['DATABASE_URL: required in production (the embedded database is for development)']);
  });

  test('every problem is reported at once', () => {
    const lines = configProblems({ NODE_ENV: 'production', ISSUER: 'http://x.example' });
    expect(lines.length).toBeGreaterThanOrEqual(6);
    expect(lines).toEqual(expect.arrayContaining(['ISSUER: must be an https:// URL in production', 'PASS_COOKIE_KEYS: required in production']));
  });
});
