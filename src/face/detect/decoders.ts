import type { ScrfdOutput, YunetOutput } from '../models/manifest.ts';
import type { Detection, TensorMap } from './types.ts';
import { floatOutput } from './types.ts';

// Both decoders produce coordinates in model-input pixels; the detector maps them back.

export function decodeYunet(outputs: TensorMap, spec: YunetOutput, inputW: number, inputH: number, minScore: number): Detection[] {
  const found: Detection[] = [];
  spec.strides.forEach((s, level) => {
    const cls = floatOutput(outputs, spec.cls[level]!);
    const obj = floatOutput(outputs, spec.obj[level]!);
    const bbox = floatOutput(outputs, spec.bbox[level]!);
    const kps = floatOutput(outputs, spec.kps[level]!);
    const cols = Math.ceil(inputW / s);
    const n = cols * Math.ceil(inputH / s);
    if (cls.length < n || obj.length < n || bbox.length < n * 4 || kps.length < n * 10) {
      throw new Error(`yunet outputs for stride ${s} are smaller than the ${n} cells expected`);
    }
    // score = sqrt(cls * obj) >= minScore  <=>  cls * obj >= minScore^2; skips the sqrt for the many empty cells.
    const minProduct = minScore * minScore;
    for (let i = 0; i < n; i++) {
      const c = clamp01(cls[i]!);
      const o = clamp01(obj[i]!);
      if (c * o < minProduct) continue;
      const col = i % cols;
      const row = (i - col) / cols;
      const cx = (col + bbox[i * 4]!) * s;
      const cy = (row + bbox[i * 4 + 1]!) * s;
      const w = Math.exp(bbox[i * 4 + 2]!) * s;
      const h = Math.exp(bbox[i * 4 + 3]!) * s;
      const landmarks = new Float64Array(10);
      for (let k = 0; k < 5; k++) {
        landmarks[2 * k] = (col + kps[i * 10 + 2 * k]!) * s;
        landmarks[2 * k + 1] = (row + kps[i * 10 + 2 * k + 1]!) * s;
      }
      found.push({ score: Math.sqrt(c * o), x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, landmarks });
    }
  });
  return found;
}

export function decodeScrfd(outputs: TensorMap, spec: ScrfdOutput, inputW: number, inputH: number, minScore: number): Detection[] {
  const found: Detection[] = [];
  const anchors = spec.anchorsPerCell;
  spec.strides.forEach((s, level) => {
    const scores = floatOutput(outputs, spec.scores[level]!);
    const boxes = floatOutput(outputs, spec.boxes[level]!);
    const kps = floatOutput(outputs, spec.landmarks[level]!);
    const cols = Math.ceil(inputW / s);
    const n = cols * Math.ceil(inputH / s) * anchors;
    if (scores.length < n || boxes.length < n * 4 || kps.length < n * 10) {
      throw new Error(`scrfd outputs for stride ${s} are smaller than the ${n} anchors expected`);
    }
    for (let i = 0; i < n; i++) {
      const score = scores[i]!;
      if (score < minScore) continue;
      const cell = Math.floor(i / anchors);
      const col = cell % cols;
      const row = (cell - col) / cols;
      const cx = col * s;
      const cy = row * s;
      const landmarks = new Float64Array(10);
      for (let k = 0; k < 5; k++) {
        landmarks[2 * k] = cx + kps[i * 10 + 2 * k]! * s;
        landmarks[2 * k + 1] = cy + kps[i * 10 + 2 * k + 1]! * s;
      }
      found.push({
        score,
        x1: cx - boxes[i * 4]! * s,
        y1: cy - boxes[i * 4 + 1]! * s,
        x2: cx + boxes[i * 4 + 2]! * s,
        y2: cy + boxes[i * 4 + 3]! * s,
        landmarks,
      });
    }
  });
  return found;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
