/**
 * What the kiosk page needs to see a face on its own (static/face-watch.js): GET /kiosk/detector/*
 * serves onnxruntime-web's WebAssembly build from node_modules (no CDN: a kiosk may sit behind a
 * municipal proxy, and its CSP allows 'self' only), the YuNet detector PASS's face capability uses
 * (read from PASS_MODELS_DIR and checked against the manifest's sha256 before it is ever served),
 * and the few facts of the model the page's decoder needs. The page only decides *when* to send a
 * frame; the server still detects, matches and decides, so a tampered page gains nothing.
 * The runtime and the model change only with an upgrade: browsers cache them for a day and
 * revalidate by ETag, so a kiosk loads the 14 MB runtime once, not at every restart.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Middleware } from 'koa';
import { findDetector, loadManifest } from '../../src/face/index.ts';

export const DETECTOR_PREFIX = '/kiosk/detector/';
/** The page's detector: the smallest YuNet, whatever detector the server runs (it only gates when a frame is sent). */
export const PAGE_DETECTOR = 'yunet_s_640';

interface Served {
  body: Buffer;
  type: string;
  etag: string;
}

const ORT_DIST = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
/** The single-threaded WebAssembly build with its loader bundled in: no workers, no SharedArrayBuffer. */
const RUNTIME_FILES: Record<string, { file: string; type: string }> = {
  'ort.mjs': { file: 'ort.wasm.bundle.min.mjs', type: 'text/javascript; charset=utf-8' },
  'ort-wasm-simd-threaded.wasm': { file: 'ort-wasm-simd-threaded.wasm', type: 'application/wasm' },
};

const etagOf = (body: Buffer | string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

async function runtimeFile(name: string): Promise<Served | undefined> {
  const entry = RUNTIME_FILES[name];
  if (!entry) return undefined;
  const body = await readFile(path.join(ORT_DIST, entry.file));
  return { body, type: entry.type, etag: etagOf(body) };
}

/** The model file, refused unless it is byte for byte the one the manifest names. */
async function modelFiles(modelsDir: string): Promise<Map<string, Served>> {
  const entry = findDetector(await loadManifest(), PAGE_DETECTOR);
  if (entry.output.decoder !== 'yunet') throw new Error(`${PAGE_DETECTOR} is not a YuNet model`);
  const body = await readFile(path.join(modelsDir, entry.file));
  const sha256 = createHash('sha256').update(body).digest('hex');
  if (sha256 !== entry.sha256) throw new Error(`${entry.file} in ${modelsDir} does not match the manifest's sha256`);
  const spec = JSON.stringify({
    model: `${DETECTOR_PREFIX}yunet.onnx`,
    input: { name: entry.input.name ?? 'input', width: entry.input.width, height: entry.input.height },
    minScore: entry.minScore,
    channelOrder: entry.preprocessing.channelOrder,
    mean: entry.preprocessing.mean,
    std: entry.preprocessing.std,
    output: entry.output,
  });
  return new Map([
    ['yunet.onnx', { body, type: 'application/octet-stream', etag: `"${sha256.slice(0, 27)}"` }],
    ['detector.json', { body: Buffer.from(spec), type: 'application/json; charset=utf-8', etag: etagOf(spec) }],
  ]);
}

/**
 * The route. Files are read at their first request and kept; a model not there yet (PASS fetches
 * missing models in the background) answers 404 and is looked for again next time, and the page
 * then keeps to its buttons.
 */
export function detectorFiles({ modelsDir }: { modelsDir: string }): Middleware {
  const kept = new Map<string, Served>();
  return async (ctx, next) => {
    if (!ctx.path.startsWith(DETECTOR_PREFIX) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const name = ctx.path.slice(DETECTOR_PREFIX.length);
    let found = kept.get(name);
    if (!found && name in RUNTIME_FILES) {
      found = await runtimeFile(name);
      if (found) kept.set(name, found);
    } else if (!found && (name === 'yunet.onnx' || name === 'detector.json')) {
      const files = await modelFiles(modelsDir).catch(() => undefined);
      for (const [key, value] of files ?? []) kept.set(key, value);
      found = kept.get(name);
    }
    if (!found) return next();
    ctx.state.route = `${DETECTOR_PREFIX}*`;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.set('ETag', found.etag);
    ctx.type = found.type;
    if (ctx.get('If-None-Match') === found.etag) {
      ctx.status = 304;
      return;
    }
    ctx.body = found.body;
  };
}
