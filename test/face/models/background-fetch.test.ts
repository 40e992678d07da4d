// PASS started without its face models and PASS_MODELS_FETCH=auto (the development default): it
// serves at once, fetches the models in the background, says in one warn line when it cannot, and
// turns face on when the models arrive, by its own fetch or by `npm run models:fetch`.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ALL_IN_ONE } from '../../../clients/capabilities.ts';
import { fetchModels } from '../../../src/face/models/fetch.ts';
import { loadManifest } from '../../../src/face/models/manifest.ts';
import { startServer, type PassServer } from '../../../src/server.ts';
import { configFor, createStorage, freePort, type TestStorage } from '../../helpers/pass.ts';
import { MODELS_DIR } from '../helpers.ts';
import { closedPort, startModelServer, type ModelServer } from './model-server.ts';

interface Line {
  level: number;
  msg: string;
}

interface Readiness {
  status: string;
  checks: Record<string, { status: string; detail?: string }>;
}

let storage: TestStorage;
let modelsDir: string;
let lines: Line[];
let pass: PassServer | undefined;
let issuer: string;

async function start(env: Record<string, string>): Promise<void> {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  // The PAD model is not in the shared mirror; its optional fetch is provision.test.ts's.
  const config = configFor({ ...storage.env, ISSUER: issuer, PORT: String(port), PASS_MODELS_DIR: modelsDir, PASS_MODELS_FETCH: 'auto', FACE_WORKERS: '1', FACE_PAD_MODEL: 'none', FACE_POSE_MODEL: 'none', ...env });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  pass = await startServer(config, pino({ level: 'info' }, sink), { capabilities: ALL_IN_ONE });
}

async function readiness(): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${issuer}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

/** Polls /readyz until `done` holds for its answer, for at most `limitMs`; returns the last answer. */
async function readyzUntil(done: (r: Readiness) => boolean, limitMs: number): Promise<{ status: number; body: Readiness }> {
  const started = Date.now();
  for (;;) {
    const answer = await readiness();
    if (done(answer.body) || Date.now() - started > limitMs) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  storage = await createStorage('embedded');
});

afterAll(async () => {
  await storage?.cleanup();
});

beforeEach(async () => {
  modelsDir = await mkdtemp(path.join(tmpdir(), 'pass-models-'));
  lines = [];
});

afterEach(async () => {
  await pass?.close();
  pass = undefined;
  await rm(modelsDir, { recursive: true, force: true });
});

test('an unreachable mirror: one warn line, discovery served, /readyz says why face is off; the models arrive and face is on', async () => {
  await start({ PASS_MODELS_MIRROR: `http://127.0.0.1:${await closedPort()}` });
  const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
  expect(discovery.status).toBe(200);

  const off = await readyzUntil((r) => /could not fetch models/.test(r.checks.face?.detail ?? ''), 30_000);
  expect(off.status).toBe(200);
  expect(off.body.status).toBe('ready');
  expect(off.body.checks.face).toEqual({
    status: 'unavailable',
    detail: expect.stringMatching(/^unavailable: could not fetch models \(yunet_s_640 .*ECONNREFUSED.*\); set PASS_MODELS_MIRROR or run npm run models:fetch$/),
  });
  const warnings = lines.filter((l) => l.level >= 40);
  expect(warnings.map((l) => l.msg)).toEqual([expect.stringMatching(/^face features off: could not fetch models \(.*\); set PASS_MODELS_MIRROR or run npm run models:fetch$/)]);
  expect(pass!.provided.face!.available).toBe(false);

  // What `npm run models:fetch -- --from DIR` does while PASS runs: the next probe finds the models.
  await fetchModels({ manifest: await loadManifest(), to: modelsDir, from: MODELS_DIR, names: ['yunet_s_640', 'scrfd_2.5g', 'mobilefacenet_512'] });
  const on = await readyzUntil((r) => r.checks.face?.status === 'ok', 60_000);
  expect(on.body.checks.face).toEqual({ status: 'ok', detail: expect.stringMatching(/^mobilefacenet_512@87aacdfe5751; workers (starting|ready); /) });
  expect(pass!.provided.face!.available).toBe(true);
  expect(lines.map((l) => l.msg)).toContain('face models in place; face features on');
}, 120_000);

test('a reachable mirror: PASS serves while it fetches, with progress in the log, and /readyz reports face ready', async () => {
  let mirror: ModelServer | undefined = await startModelServer(MODELS_DIR);
  try {
    await start({ PASS_MODELS_MIRROR: mirror.url });
    expect((await fetch(`${issuer}/.well-known/openid-configuration`)).status).toBe(200);
    const on = await readyzUntil((r) => r.checks.face?.status === 'ok', 60_000);
    expect(on.body.checks.face?.status).toBe('ok');
    await mirror.close();
    mirror = undefined;
  } finally {
    await mirror?.close();
  }
  const messages = lines.map((l) => l.msg);
  expect(messages).toEqual(expect.arrayContaining([
    'face models missing: fetching them in the background',
    expect.stringMatching(/^face model mobilefacenet_512: downloading 4\.9 MB from http:\/\/127\.0\.0\.1:\d+\/mobilefacenet_512\.onnx$/),
    'face model mobilefacenet_512: 50%',
    'face model mobilefacenet_512: 100%, sha256 ok',
    'face models fetched and verified; face features on',
  ]));
  expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  expect((await readdir(modelsDir)).sort()).toEqual(['mobilefacenet_512.onnx', 'scrfd_2.5g_bnkps.onnx', 'yunet_s_640_640.onnx']);
}, 120_000);
