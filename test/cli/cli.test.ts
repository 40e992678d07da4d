import { createStorage, type TestStorage } from '../helpers/pass.ts';
import { passCli } from '../helpers/cli.ts';
import { storageModes } from '../helpers/services.ts';

// PostgreSQL when available (each CLI run on the embedded database pays PGlite's start-up).
const mode = storageModes().includes('postgres') ? 'postgres' : 'embedded';

describe(`the admin CLI on ${mode}`, () => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await createStorage(mode);
  });
  afterAll(async () => {
    await storage?.cleanup();
  });

  test('migrate and seed report what they did', async () => {
    const migrated = await passCli(['migrate'], storage.env);
    expect(migrated).toMatchObject({ code: 0, stdout: 'database schema is up to date\n' });
    const seeded = await passCli(['seed', '--json'], storage.env);
    expect(seeded.code).toBe(0);
    expect(JSON.parse(seeded.stdout)).toMatchObject({ municipalities: 3, facilities: 6, clientsCreated: expect.arrayContaining(['pass-app', 'toyooka-booking']) });
    const again = await passCli(['seed'], storage.env);
    expect(again.stdout).toContain('clients created: none (already there)');
  });

  test('client create prints the new client, secret included, as JSON; client list never shows secrets', async () => {
    const created = await passCli(
      ['client', 'create', '--name', 'booking', '--redirect-uri', 'https://booking.example/cb', '--grant-types', 'authorization_code,refresh_token', '--json'],
      storage.env,
    );
    expect(created.code).toBe(0);
    const client = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(client).toMatchObject({
      client_id: expect.any(String),
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{40,}$/),
      client_name: 'booking',
      redirect_uris: ['https://booking.example/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
    });
    const listed = await passCli(['client', 'list', '--json'], storage.env);
    expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ client_id: client.client_id, client_name: 'booking' })]));
    expect(listed.stdout).not.toContain(String(client.client_secret));
  });

  test('user create, and a clear failure for a duplicate', async () => {
    const created = await passCli(['user', 'create', '--email', 'Staff@City.example.jp', '--password', 'a long enough password', '--role', 'staff', '--json'], storage.env);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ email: 'staff@city.example.jp', role: 'staff', emailVerified: true });
    expect(created.stdout).not.toContain('a long enough password');
    const duplicate = await passCli(['user', 'create', '--email', 'staff@city.example.jp', '--password', 'another password'], storage.env);
    expect(duplicate).toMatchObject({ code: 1, stdout: '', stderr: 'pass: an account with this e-mail address already exists\n' });
  });

  test.each([
    [['client', 'create', '--redirect-uri', 'https://x.example/cb'], 'pass: --name is required\n'],
    [['client', 'create', '--name', 'x', '--redirect-uri', 'not a url'], 'pass: redirect_uris must only contain valid uris\n'],
    [['user', 'create', '--email', 'nobody', '--password', 'whatever123'], 'pass: not a valid e-mail address\n'],
    [['user', 'create', '--email', 'a@b.example', '--password', 'whatever123', '--role', 'root'], 'pass: --role must be one of resident, staff, admin\n'],
  ])('%j fails with one line and exit 1, changing nothing', async (args, message) => {
    const before = await passCli(['client', 'list', '--json'], storage.env);
    const result = await passCli(args, storage.env);
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: message });
    const after = await passCli(['client', 'list', '--json'], storage.env);
    expect(after.stdout).toBe(before.stdout);
  });

  test('an unknown command prints the usage and exits 2', async () => {
    const result = await passCli(['frobnicate'], storage.env);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('usage: npm run pass -- <command>');
  });
});
