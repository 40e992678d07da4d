// The background fetch a starting PASS runs: its log lines (progress at coarse steps, one warn line
// when the models cannot be had), its status for /readyz, and its later tries, driven by hand.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadManifest } from '../../../src/face/models/manifest.ts';
import type { ModelManifest } from '../../../src/face/models/manifest.ts';
import { ModelProvisioner } from '../../../src/face/models/provision.ts';
import type { Schedule } from '../../../src/face/models/provision.ts';
import { MODELS_DIR } from '../helpers.ts';
import { closedPort, startModelServer } from './model-server.ts';

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A real pino logger writing into memory. */
function capturingLogger(): { log: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines };
}

/** Retries that wait for the test to fire them. */
function manualSchedule(): { schedule: Schedule; pending: Array<{ ms: number; run: () => void }> } {
  const pending: Array<{ ms: number; run: () => void }> = [];
  return {
    pending,
    schedule: (ms, run) => {
      const item = { ms, run };
      pending.push(item);
      return () => pending.splice(pending.indexOf(item), 1);
    },
  };
}

const INFO = 30;
const WARN = 40;
let manifest: ModelManifest;
let dir: string;

beforeAll(async () => {
  manifest = await loadManifest();
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pass-provision-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('an unreachable mirror: one warn line with the advice, a later try; when the mirror answers, the models arrive', async () => {
  const port = await closedPort();
  const { log, lines } = capturingLogger();
  const { schedule, pending } = manualSchedule();
  let fetched = 0;
  const provisioner = new ModelProvisioner({
    manifest,
    names: ['yunet_s_640', 'mobilefacenet_512'],
    dir,
    mirror: { url: `http://127.0.0.1:${port}` },
    log,
    onFetched: () => fetched++,
    schedule,
    retryDelaysMs: [60_000, 300_000],
    wait: async () => {},
  });
  provisioner.start();
  expect(await provisioner.settled()).toBe(false);

  const warnings = lines.filter((l) => l.level >= WARN);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!.msg).toMatch(/^face features off: could not fetch models \(yunet_s_640 .*ECONNREFUSED.*; set PASS_MODELS_MIRROR or run npm run models:fetch$/);
  expect(provisioner.status).toMatch(/^could not fetch models .*ECONNREFUSED.*set PASS_MODELS_MIRROR or run npm run models:fetch$/);
  expect(pending.map((p) => p.ms)).toEqual([60_000]);
  expect(fetched).toBe(0);

  // Still offline at the second try: no second warn line, the next try further out.
  pending.shift()!.run();
  expect(await provisioner.settled()).toBe(false);
  expect(lines.filter((l) => l.level >= WARN)).toHaveLength(1);
  expect(pending.map((p) => p.ms)).toEqual([300_000]);

  const mirror = await startModelServer(MODELS_DIR, port);
  try {
    pending.shift()!.run();
    expect(await provisioner.settled()).toBe(true);
  } finally {
    await mirror.close();
  }
  expect(fetched).toBe(1);
  expect(pending).toEqual([]);
  expect((await readdir(dir)).sort()).toEqual(['mobilefacenet_512.onnx', 'yunet_s_640_640.onnx']);
  // The failed tries that never reached the mirror said so at debug level only.
  const progress = lines.filter((l) => l.model === 'mobilefacenet_512' && l.level >= INFO).map((l) => l.msg);
  expect(progress).toEqual([
    `face model mobilefacenet_512: downloading 4.9 MB from http://127.0.0.1:${port}/mobilefacenet_512.onnx`,
    'face model mobilefacenet_512: 25%',
    'face model mobilefacenet_512: 50%',
    'face model mobilefacenet_512: 75%',
    'face model mobilefacenet_512: 100%, sha256 ok',
  ]);
  expect(lines.at(-1)!.msg).toBe('face models fetched and verified; face features on');
});

test('while a download runs, the status says how far it is; stop() ends it and no retry follows', async () => {
  const mirror = await startModelServer(MODELS_DIR);
  const { log } = capturingLogger();
  const { schedule, pending } = manualSchedule();
  let provisioner: ModelProvisioner | undefined;
  const seen: string[] = [];
  // The HTTP client sees the mirror through this wrapper, which reads the status mid-download and then stops the fetch.
  const fetchThrough: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    seen.push(provisioner!.status ?? '');
    void provisioner!.stop();
    return response;
  };
  try {
    provisioner = new ModelProvisioner({ manifest, names: ['mobilefacenet_512'], dir, mirror: { url: mirror.url }, log, onFetched: () => {}, schedule, fetch: fetchThrough });
    provisioner.start();
    expect(await provisioner.settled()).toBe(false);
    expect(seen[0]).toMatch(/^fetching face model/);
    expect(pending).toEqual([]);
    expect(await readdir(dir)).not.toContain('mobilefacenet_512.onnx');
  } finally {
    await mirror.close();
  }
});

test('another process fetching into the same directory: no warning, a look again shortly', async () => {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path.join(dir, '.fetch.lock'), String(process.ppid));
  const { log, lines } = capturingLogger();
  const { schedule, pending } = manualSchedule();
  const provisioner = new ModelProvisioner({ manifest, names: ['yunet_s_640'], dir, mirror: { directory: MODELS_DIR }, log, onFetched: () => {}, schedule });
  provisioner.start();
  expect(await provisioner.settled()).toBe(false);
  expect(lines.filter((l) => l.level >= WARN)).toEqual([]);
  expect(provisioner.status).toBe('another process is fetching the face models');
  expect(pending.map((p) => p.ms)).toEqual([10_000]);
  await provisioner.stop();
  expect(pending).toEqual([]);
});

test('an optional model the mirror lacks (the PAD model): one warn line, no retry, and face still turns on', async () => {
  const { log, lines } = capturingLogger();
  const { schedule, pending } = manualSchedule();
  let fetched = 0;
  const provisioner = new ModelProvisioner({
    manifest,
    names: ['yunet_s_640'],
    optional: ['fr_liveness'],
    dir,
    mirror: { directory: MODELS_DIR },
    log,
    onFetched: () => fetched++,
    schedule,
  });
  provisioner.start();
  expect(await provisioner.settled()).toBe(true);
  expect(fetched).toBe(1);
  expect(pending).toEqual([]);
  const warnings = lines.filter((l) => l.level >= WARN);
  expect(warnings.map((l) => l.msg)).toEqual([expect.stringMatching(/^optional face models not fetched \(fr_liveness \(fr_liveness\.onnx\): .*\); without them presentation attacks are recorded as not checked/)]);
  expect(await readdir(dir)).toContain('yunet_s_640_640.onnx');
  expect(await readdir(dir)).not.toContain('fr_liveness.onnx');
  await provisioner.stop();
});
