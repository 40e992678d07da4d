// README's two lines on a fresh machine whose `node` is older than 24 (Debian's is 20): from a clean
// copy, with that Node first on the PATH, the start line installs and starts PASS (its npm scripts
// bring Node.js 24 through src/cli/node24.mjs) and the test line runs the tests. The lines are read
// from README.md, so the test and the README cannot drift apart. The clean copy has no face models:
// PASS fetches them at first start, here from a local mirror standing in for their public URLs.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_DATABASE_URL, tempDir } from '../helpers/services.ts';
import { startModelServer, type ModelServer } from '../face/models/model-server.ts';
import { copyRepository, REPO_ROOT, run, whileStarted } from './clean-copy.ts';

/** The model files beside the repository (../shared/models), served as the mirror. */
const SHARED_MODELS = path.resolve(REPO_ROOT, '../shared/models');
/** The liveness models are not among them: this checkout's copies (npm run models:fetch) join the mirror. */
const LIVENESS_MODELS = ['fr_liveness.onnx', 'fr_pose.onnx'];
const FETCHED = ['fr_liveness.onnx', 'fr_pose.onnx', 'mobilefacenet_512.onnx', 'scrfd_2.5g_bnkps.onnx', 'yunet_s_640_640.onnx'];

/** The machine's own Node.js, when it is older than 24 (what a newcomer's fresh machine has). */
function olderNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue;
    const major = Number(execFileSync(candidate, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim());
    if (major < 24) return candidate;
  }
  return undefined;
}

/** The first shell line of the first ```sh block after a README heading. */
function readmeLine(heading: string): string {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`\n## ${heading}`));
  const block = /```sh\n([^\n]+)\n/.exec(section);
  if (!block) throw new Error(`README.md has no sh block under "## ${heading}"`);
  return block[1]!;
}

const node = olderNode();
const runs = node && TEST_DATABASE_URL ? describe : describe.skip;
if (!node) console.log('first-start test skipped: this machine has no Node.js older than 24 to start from');
if (!TEST_DATABASE_URL) console.log('first-start test skipped: TEST_DATABASE_URL is not set (.ci/services.sh provides it)');

runs("README's lines from a clean copy with an older Node first on the PATH", () => {
  const copy = tempDir('pass-first-start-');
  const data = tempDir('pass-first-start-data-');
  const mirrorDir = tempDir('pass-first-start-mirror-');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PATH: `${path.dirname(node ?? '/usr/bin/node')}${path.delimiter}${process.env.PATH ?? ''}`,
    ONNXRUNTIME_NODE_INSTALL: 'skip',
    PASS_DATA_DIR: data.path,
    PORT: '0',
    NODE_ENV: 'development',
  };
  // The copy's own configuration and services only: nothing of this test run's PASS settings.
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'ISSUER', 'PASS_CONFIG_FILE', 'JEST_WORKER_ID', 'PASS_MODELS_DIR', 'PASS_MODELS_MIRROR', 'PASS_MODELS_FETCH']) delete env[key];
  let mirror: ModelServer | undefined;

  beforeAll(async () => {
    await copyRepository(copy.path);
    const version = await run('node', ['--version'], { env });
    expect(Number(version.stdout.trim().slice(1).split('.')[0])).toBeLessThan(24);
    // The models a fresh clone lacks (git ignores models/*.onnx) are what the first start must fetch.
    expect(readdirSync(path.join(copy.path, 'models')).filter((f) => f.endsWith('.onnx'))).toEqual([]);
    for (const file of readdirSync(SHARED_MODELS).filter((f) => f.endsWith('.onnx'))) copyFileSync(path.join(SHARED_MODELS, file), path.join(mirrorDir.path, file));
    for (const file of LIVENESS_MODELS) {
      const own = path.join(REPO_ROOT, 'models', file);
      if (!existsSync(own)) throw new Error(`${own} is missing: run npm run models:fetch -- --public --only fr_liveness,fr_pose`);
      copyFileSync(own, path.join(mirrorDir.path, file));
    }
    mirror = await startModelServer(mirrorDir.path);
    env.PASS_MODELS_MIRROR = mirror.url;
    env.FACE_WORKERS = '1';
  });

  afterAll(async () => {
    await mirror?.close();
    copy.remove();
    data.remove();
    mirrorDir.remove();
  });

  test('the start line installs and starts PASS, which serves discovery, fetches the face models and reports face ready', async () => {
    const line = readmeLine('Start it');
    expect(line).toBe('npm ci && npm start');
    await whileStarted(line, copy.path, env, async (port, output) => {
      const discovery = await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`);
      expect(discovery.status).toBe(200);
      expect(((await discovery.json()) as { issuer: string }).issuer).toMatch(/^http:\/\/localhost:/);
      // The models come in the background after the listener opened: poll, for a bounded time.
      let face: { status: string; detail?: string } | undefined;
      for (const deadline = Date.now() + 2 * 60_000; Date.now() < deadline && face?.status !== 'ok'; ) {
        if (face) await new Promise((resolve) => setTimeout(resolve, 500));
        const readyz = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { checks: Record<string, { status: string; detail?: string }> };
        face = readyz.checks.face;
      }
      expect({ face, log: face?.status === 'ok' ? '' : output() }).toEqual({ face: { status: 'ok', detail: expect.stringMatching(/^mobilefacenet_512@/) }, log: '' });
      // The liveness models are fetched after the models face needs, and face does not wait for them.
      const arrived = () => LIVENESS_MODELS.every((file) => existsSync(path.join(copy.path, 'models', file)));
      for (const deadline = Date.now() + 30_000; Date.now() < deadline && !arrived(); ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(mirror!.requests.map((r) => r.path).sort()).toEqual(FETCHED);
      expect(readdirSync(path.join(copy.path, 'models')).filter((f) => f.endsWith('.onnx')).sort()).toEqual(FETCHED);
    });
  }, 10 * 60_000);

  test('the test line runs the tests', async () => {
    const line = readmeLine('Run the tests');
    expect(line).toBe('source <(bash .ci/services.sh) && npm test');
    // One small suite stands for all of them: what matters is that the line reaches Jest on Node 24.
    const { stdout, stderr } = await run('bash', ['-c', `${line} -- test/architecture/imports.test.ts`], { cwd: copy.path, env, timeout: 5 * 60_000, maxBuffer: 16 * 1024 * 1024 });
    expect(`${stdout}${stderr}`).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  }, 6 * 60_000);
});
