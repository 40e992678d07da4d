/**
 * The real container image, built from the Dockerfile with buildah (daemonless, from Debian's
 * packages) and run as a city would run it: migrations as a step of their own, then the image's
 * own command as its own non-root user with NODE_ENV=production, PostgreSQL and Redis, behind a
 * TLS proxy (Caddy, as deploy/compose.yaml has it). Through the proxy: discovery, a resident's
 * sign-in to the PASS app (password, then the e-mail code over real SMTP) and a QR check-in at a
 * kiosk that staff connected with the device grant.
 *
 * Where no container registry can be reached (CI here), the Dockerfile's base image is replaced by
 * a stand-in made from Debian's packages and the npm registry (deploy/image/stand-in-base.sh);
 * every stage of the Dockerfile runs as written.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { Agent, fetch as undiciFetch } from 'undici';
import { createTestDatabase, redisUrlForTest, TEST_DATABASE_URL, tempDir } from '../helpers/services.ts';
import { freePort, configFor } from '../helpers/pass.ts';
import { CookieJar, request, signInStep } from '../helpers/browserless.ts';
import { MailCapture } from '../helpers/mail-capture.ts';
import { approveDevice, TestKiosk, type Pass } from '../kiosk/helpers.ts';
import { register } from '../kiosk/fixtures.ts';
import { createDatabase, type Database } from '../../src/db/database.ts';
import { StaffService } from '../../src/staff/staff-service.ts';
import { FaceStore } from '../../src/face/service/template-store.ts';
import { copyRepository, REPO_ROOT, run } from './clean-copy.ts';

const BASE = 'localhost/pass-node-base:24';
const IMAGE = 'localhost/pass:test-image';
const STORAGE = ['--storage-driver', 'vfs'];
const REUSE = process.env.PASS_TEST_REUSE_IMAGE === '1' && !process.env.CI;
const JPKI_ROOTS = path.resolve(REPO_ROOT, '../shared/jpki/roots');
const PASSWORD = 'shirayama hakusan 2026';
const RESIDENT = 'resident@city.example.jp';
const STAFF = 'staff@city.example.jp';
const PARK = 'kaga-niconico-park';
const jsQR = createRequire(import.meta.url)('jsqr') as (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;

function installed(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const tools = ['buildah', 'debootstrap', 'caddy'].filter((t) => !installed(t));
const root = process.getuid?.() === 0;
if (process.env.CI && (tools.length || !root)) throw new Error(`CI must build the image: missing ${tools.join(', ') || 'root'}`);
const runs = !tools.length && root && TEST_DATABASE_URL ? describe : describe.skip;
if (tools.length || !root) console.log(`container image test skipped: needs ${[...tools, ...(root ? [] : ['root'])].join(', ')}`);

/** A process of the image: a fresh container, the command run in it (the image's user unless told), removed afterwards. */
async function inImage(command: string[], env: Record<string, string>): Promise<string> {
  const container = (await run('buildah', [...STORAGE, 'from', '--quiet', IMAGE])).stdout.trim();
  try {
    const { stdout } = await run('buildah', [...STORAGE, 'run', ...runOptions(env), container, '--', ...command], { timeout: 120_000, maxBuffer: 8 * 1024 * 1024 });
    return stdout;
  } finally {
    await run('buildah', [...STORAGE, 'rm', container]);
  }
}

/** Host files the containers see read-only (the J-LIS roots; the TLS proxy's CA once it exists). */
const mounts = [`${JPKI_ROOTS}:/etc/pass/jpki:ro`];

function runOptions(env: Record<string, string>): string[] {
  return ['--isolation', 'chroot', '--network', 'host', ...mounts.flatMap((m) => ['-v', m]), ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`])];
}

/** Resolves once `pattern` appears in what the child printed; rejects if it ends first or takes too long. */
function printed(child: ChildProcess, output: () => string, pattern: RegExp, ms = 90_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}:\n${output()}`)), ms);
    const check = () => {
      if (pattern.test(output())) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => reject(new Error(`ended (${code}) before ${pattern}:\n${output()}`)));
  });
}

function spawnLogged(command: string, args: string[], env?: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: env ?? (process.env as Record<string, string>) });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return { child, output: () => text };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const ended = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  const stuck = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
  await ended;
  clearTimeout(stuck);
}

runs('the container image, built from the Dockerfile and run as in production', () => {
  const copy = tempDir('pass-image-context-');
  const work = tempDir('pass-image-run-');
  const mail = new MailCapture();
  const originalFetch = globalThis.fetch;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  let env: Record<string, string>;
  let issuer = '';
  let pass: ReturnType<typeof spawnLogged> | undefined;
  let proxy: ReturnType<typeof spawnLogged> | undefined;

  beforeAll(async () => {
    await copyRepository(copy.path);
    const base = await run('buildah', [...STORAGE, 'images', '--quiet', BASE]).catch(() => ({ stdout: '' }));
    if (!base.stdout.trim()) await run('bash', [path.join(REPO_ROOT, 'deploy/image/stand-in-base.sh'), BASE], { timeout: 5 * 60_000, maxBuffer: 16 * 1024 * 1024 });
    // Behind a TLS-inspecting proxy npm needs its CA while building: mounted, never copied in.
    const ca = process.env.NODE_EXTRA_CA_CERTS;
    const caArgs = ca ? ['--build-arg', `NODE_EXTRA_CA_CERTS=${ca}`, '-v', `${ca}:${ca}:ro`] : [];
    // PASS_TEST_REUSE_IMAGE=1: a developer iterating on this test keeps the image of the previous run.
    const reuse = REUSE && (await run('buildah', [...STORAGE, 'images', '--quiet', IMAGE]).catch(() => ({ stdout: '' }))).stdout.trim();
    if (!reuse) await run('buildah', [...STORAGE, 'bud', '--isolation', 'chroot', '--network', 'host', '--build-arg', `NODE_IMAGE=${BASE}`, ...caArgs, '--layers=false', '-t', IMAGE, copy.path], {
      cwd: copy.path,
      timeout: 10 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });

    database = await createTestDatabase();
    await mail.start();
    const [proxyPort, passPort] = [await freePort(), await freePort()];
    issuer = `https://localhost:${proxyPort}`;
    const secret = () => randomBytes(32).toString('base64url');
    env = {
      ISSUER: issuer,
      HOST: '127.0.0.1',
      PORT: String(passPort),
      TRUST_PROXY: 'true',
      DATABASE_URL: database.url,
      REDIS_URL: redisUrlForTest(),
      PASS_COOKIE_KEYS: secret(),
      PASS_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      PASS_PAIRWISE_SALT: secret(),
      PASS_IDENTITY_HASH_KEY: secret(),
      JPKI_TRUST_ANCHORS: readdirSync(JPKI_ROOTS).filter((f) => f.endsWith('.pem')).map((f) => `/etc/pass/jpki/${f}`).join(','),
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: mail.smtpUrl,
      MAIL_FROM: 'PASS <no-reply@city.example.jp>',
      SMS_TRANSPORT: 'http',
      SMS_GATEWAY_URL: 'https://sms.example.jp/send',
    };

    // The TLS proxy: Caddy with its own local CA, which this test's requests (and only they) trust.
    const caddyHome = path.join(work.path, 'caddy');
    const caddyfile = path.join(work.path, 'Caddyfile');
    writeFileSync(caddyfile, `{\n  admin off\n  skip_install_trust\n  auto_https disable_redirects\n  storage file_system ${caddyHome}\n}\nhttps://localhost:${proxyPort} {\n  bind 127.0.0.1\n  tls internal\n  reverse_proxy 127.0.0.1:${passPort}\n}\n`);
    proxy = spawnLogged('caddy', ['run', '--config', caddyfile, '--adapter', 'caddyfile'], { ...(process.env as Record<string, string>), HOME: work.path, XDG_DATA_HOME: work.path, XDG_CONFIG_HOME: work.path });
    await printed(proxy.child, proxy.output, /serving initial configuration|server running/i, 30_000);
    const caddyRoot = readFileSync(path.join(caddyHome, 'pki/authorities/local/root.crt'), 'utf8');
    // PASS's own first-party clients (the app, Manager) reach the issuer through the proxy too: a proxy
    // whose certificate comes from a private CA is given to PASS as operators do (README, "Deploy").
    writeFileSync(path.join(work.path, 'proxy-ca.crt'), caddyRoot);
    mounts.push(`${path.join(work.path, 'proxy-ca.crt')}:/etc/pass/proxy-ca.crt:ro`);
    env.NODE_EXTRA_CA_CERTS = '/etc/pass/proxy-ca.crt';
    const agent = new Agent({ connect: { ca: caddyRoot } });
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
      new URL(String(input instanceof Request ? input.url : input)).protocol === 'https:'
        ? (undiciFetch(input as never, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>)
        : originalFetch(input, init)) as typeof fetch;
  }, 16 * 60_000);

  afterAll(async () => {
    globalThis.fetch = originalFetch;
    await stop(pass?.child);
    await stop(proxy?.child);
    await db?.destroy();
    await database?.drop();
    await mail.close();
    if (!REUSE) await run('buildah', [...STORAGE, 'rmi', IMAGE]).catch(() => undefined);
    copy.remove();
    work.remove();
  }, 60_000);

  test('runs as its own non-root user, with NODE_ENV=production and no development dependency', async () => {
    const facts = await inImage(['sh', '-c', 'id -u; id -g; echo "$NODE_ENV"; ls node_modules'], {});
    const [uid, gid, nodeEnv, ...modules] = facts.trim().split('\n');
    expect([uid, gid, nodeEnv]).toEqual(['1000', '1000', 'production']);
    expect(modules).toEqual(expect.arrayContaining(['oidc-provider', 'koa', 'pg']));
    for (const dev of ['jest', 'typescript', 'playwright-core', '@swc']) expect(modules).not.toContain(dev);
  }, 120_000);

  test('migrations run as a step of their own; the CLI in the image seeds the catalogue and makes accounts', async () => {
    expect(await inImage(['node', 'src/cli/main.ts', 'migrate'], env)).toContain('database schema is up to date');
    // The catalogue and two accounts in one container (each container is a full copy of the image on vfs storage).
    const cli = (args: string) => `node src/cli/main.ts ${args}`;
    const made = (
      await inImage(['sh', '-c', [cli('seed >/dev/null'), cli(`user create --email ${RESIDENT} --password "$P" --role resident --json`), cli(`user create --email ${STAFF} --password "$P" --role staff --json`)].join(' && ')], { ...env, P: PASSWORD })
    )
      .trim()
      .split(/\n(?=\{)/) // one JSON document per command, each starting a line
      .map((document) => JSON.parse(document) as { id: string; email: string });
    const [resident, staff] = [RESIDENT, STAFF].map((email) => made.find((m) => m.email === email)!);
    // What an administrator does in PASS Manager: the staff member at the park, the resident registered there.
    db = createDatabase(configFor({ DATABASE_URL: database.url }));
    await new StaffService(db).assign({ accountId: staff!.id, role: 'facility_staff', facilityId: PARK });
    const personId = await new FaceStore(db).selfPerson(resident!.id);
    await register({ platform: { db } } as unknown as Pass, personId, PARK, ['name']);
  }, 300_000);

  test("behind the TLS proxy: discovery, a resident's sign-in and a QR check-in at a kiosk", async () => {
    const container = (await run('buildah', [...STORAGE, 'from', '--quiet', IMAGE])).stdout.trim();
    // The image's own command (CMD) as its own user (USER).
    const image = JSON.parse((await run('buildah', [...STORAGE, 'inspect', '--type', 'image', IMAGE], { maxBuffer: 16 * 1024 * 1024 })).stdout) as { OCIv1: { config: { Cmd: string[]; User: string } } };
    expect(image.OCIv1.config.User).toBe('1000:1000');
    const cmd = image.OCIv1.config.Cmd;
    pass = spawnLogged('buildah', [...STORAGE, 'run', ...runOptions(env), container, '--', ...cmd]);
    try {
      await printed(pass.child, pass.output, /"msg":"PASS started"/);
      const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
      expect(discovery.issuer).toBe(issuer);
      expect(discovery.authorization_endpoint).toBe(`${issuer}/auth`);

      // The resident signs in to the PASS app: the password, then the code that came by e-mail.
      const jar = new CookieJar();
      let next = `${issuer}/app/login`;
      let init: RequestInit = {};
      for (let step = 0; step < 12 && new URL(next).pathname !== '/app/'; step += 1) {
        const response = await request(jar, next, init);
        init = {};
        const location = response.headers.get('location');
        if (location) {
          next = new URL(location, next).toString();
          continue;
        }
        const then = await signInStep(jar, issuer, await response.text(), { login: RESIDENT, password: PASSWORD, outboxes: [mail.outboxUrl] });
        if (!then) throw new Error(`unexpected page at ${next}`);
        ({ url: next, init } = then);
      }
      expect(new URL(next).pathname).toBe('/app/');
      expect(mail.received.some((m) => m.to.includes(RESIDENT))).toBe(true);

      // Her check-in code in the app, decoded as the kiosk's camera would.
      const qrPage = await (await request(jar, `${issuer}/app/qr`)).text();
      const dataUrl = /src="(data:image\/png;base64,[^"]+)"/.exec(qrPage)?.[1];
      if (!dataUrl) throw new Error(`no QR code on /app/qr: ${qrPage.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 600)}\n${pass.output().slice(-3000)}`);
      const { data, info } = await sharp(Buffer.from(dataUrl.split(',')[1]!, 'base64')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const token = jsQR(new Uint8ClampedArray(data), info.width, info.height)!.data;

      // A kiosk connected by the park's staff (device grant, DPoP), then the check-in.
      const kiosk = await new TestKiosk(issuer).init();
      const auth = await kiosk.deviceAuthorization();
      await approveDevice(issuer, auth.verification_uri_complete, STAFF, PASSWORD, 'allow', [mail.outboxUrl]);
      expect((await kiosk.token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: auth.device_code })).status).toBe(200);
      expect((await kiosk.call('POST', '/api/kiosk/activation', { json: {} })).status).toBe(201);
      const checkin = await kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id: randomUUID(), token } });
      expect(checkin.body).toMatchObject({ result: 'accepted', method: 'qr' });

      expect(pass.output()).not.toMatch(/"level":(50|60)/); // no error or fatal line
    } finally {
      await stop(pass.child);
      await run('buildah', [...STORAGE, 'rm', container]).catch(() => undefined);
    }
  }, 300_000);
});
