// The world around an attack medium and the kiosk camera that photographs it: a room behind the
// held-up print or phone, the medium's placement (slightly turned), and the camera's own blur and
// sensor noise. Everything is drawn from the seeded generator, so a seed gives the same bytes.
import type { RgbImage } from '../../../src/face/image/decode.ts';
// Jest runs this in a vm context, where every global lookup (Math.*) in a per-pixel loop is slow.
const { PI, ceil, cos, floor, hypot, max, min, round, sin } = Math;


export type Rand = () => number;

const { imul } = Math;

/** Deterministic uniform numbers in [0, 1) (mulberry32, as bench/face/synthetic.ts's seeded()), free of global lookups. */
export function seededRand(seed: number): Rand {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const between = (rand: Rand, lo: number, hi: number): number => lo + (hi - lo) * rand();

export function blank(width: number, height: number): RgbImage {
  return { data: new Uint8Array(width * height * 3), width, height };
}

export const clamp255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Smooth noise in [-1, 1]: random values on a coarse grid, interpolated bilinearly. */
export function valueNoise(width: number, height: number, cell: number, rand: Rand): Float32Array {
  const gw = ceil(width / cell) + 2;
  const gh = ceil(height / cell) + 2;
  const grid = Float32Array.from({ length: gw * gh }, () => rand() * 2 - 1);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = y / cell, y0 = floor(gy), fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = x / cell, x0 = floor(gx), fx = gx - x0;
      const a = grid[y0 * gw + x0]!, b = grid[y0 * gw + x0 + 1]!, c = grid[(y0 + 1) * gw + x0]!, d = grid[(y0 + 1) * gw + x0 + 1]!;
      out[y * width + x] = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
    }
  }
  return out;
}

/** A muted room: a vertical gradient between two wall colours with blotchy low-frequency shading. */
export function backdrop(width: number, height: number, rand: Rand): RgbImage {
  const top = [between(rand, 90, 200), between(rand, 90, 200), between(rand, 90, 200)];
  const bottom = top.map((c) => c * between(rand, 0.45, 0.8));
  const blotches = valueNoise(width, height, max(8, round(width / 6)), rand);
  const out = blank(width, height);
  for (let y = 0; y < height; y++) {
    const t = y / max(1, height - 1);
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const shade = 1 + 0.12 * blotches[i]!;
      for (let c = 0; c < 3; c++) out.data[3 * i + c] = clamp255((top[c]! * (1 - t) + bottom[c]! * t) * shade);
    }
  }
  return out;
}

/** Bilinear sample of channel c at (x, y); callers keep (x, y) inside [0, w-1] × [0, h-1]. */
export function sample(img: RgbImage, x: number, y: number, c: number): number {
  const x0 = floor(x), y0 = floor(y);
  const x1 = min(x0 + 1, img.width - 1), y1 = min(y0 + 1, img.height - 1);
  const fx = x - x0, fy = y - y0, w = img.width, d = img.data;
  const a = d[3 * (y0 * w + x0) + c]!, b = d[3 * (y0 * w + x1) + c]!, e = d[3 * (y1 * w + x0) + c]!, f = d[3 * (y1 * w + x1) + c]!;
  return (a * (1 - fx) + b * fx) * (1 - fy) + (e * (1 - fx) + f * fx) * fy;
}

/** Resizes by averaging (shrinking) or bilinear sampling (growing): a print or a screen shows the whole photo. */
export function resize(src: RgbImage, width: number, height: number): RgbImage {
  const out = blank(width, height);
  const sx = src.width / width, sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const ya = y * sy, yb = max(ya + 1, (y + 1) * sy);
    for (let x = 0; x < width; x++) {
      const xa = x * sx, xb = max(xa + 1, (x + 1) * sx);
      for (let c = 0; c < 3; c++) {
        let sum = 0, n = 0;
        for (let yy = floor(ya); yy < min(src.height, ceil(yb)); yy++) {
          for (let xx = floor(xa); xx < min(src.width, ceil(xb)); xx++) {
            sum += src.data[3 * (yy * src.width + xx) + c]!;
            n++;
          }
        }
        out.data[3 * (y * width + x) + c] = n > 0 ? sum / n : 0;
      }
    }
  }
  return out;
}

export interface Placement {
  /** Centre of the medium in the scene, and its turn in degrees. */
  cx: number;
  cy: number;
  degrees: number;
  /** Pixels of `medium` that are see-through (a cut-out's outside), when given. */
  mask?: Uint8Array;
  /** Darkening of the scene just outside the medium's edge (its shadow), 0..1. */
  shadow: number;
}

/** Lays `medium` into `scene` (in place), turned about its centre, with a soft shadow down and right. */
export function composite(scene: RgbImage, medium: RgbImage, p: Placement): void {
  const ca = cos((p.degrees * PI) / 180), sa = sin((p.degrees * PI) / 180);
  const hw = medium.width / 2, hh = medium.height / 2;
  const reach = hypot(hw, hh) + 8;
  const inside = (u: number, v: number) => {
    if (u < 0 || v < 0 || u > medium.width - 1 || v > medium.height - 1) return false;
    return !p.mask || p.mask[round(v) * medium.width + round(u)] === 1;
  };
  for (let y = max(0, floor(p.cy - reach)); y < min(scene.height, ceil(p.cy + reach)); y++) {
    for (let x = max(0, floor(p.cx - reach)); x < min(scene.width, ceil(p.cx + reach)); x++) {
      const dx = x - p.cx, dy = y - p.cy;
      const u = ca * dx + sa * dy + hw, v = -sa * dx + ca * dy + hh;
      const i = 3 * (y * scene.width + x);
      if (inside(u, v)) {
        for (let c = 0; c < 3; c++) scene.data[i + c] = sample(medium, u, v, c);
      } else if (p.shadow > 0 && inside(u - 4, v - 4)) {
        for (let c = 0; c < 3; c++) scene.data[i + c] = scene.data[i + c]! * (1 - p.shadow);
      }
    }
  }
}

/** The kiosk camera: a slight defocus (3×3 box, mixed in by `blur`) and sensor noise of `noise` grey levels. */
export function camera(img: RgbImage, blur: number, noise: number, rand: Rand): RgbImage {
  const { width: w, height: h, data } = img;
  const out = blank(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const grain = (rand() + rand() - 1) * noise;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = min(h - 1, max(0, y + dy));
          for (let dx = -1; dx <= 1; dx++) sum += data[3 * (yy * w + min(w - 1, max(0, x + dx))) + c]!;
        }
        const own = data[3 * (y * w + x) + c]!;
        out.data[3 * (y * w + x) + c] = clamp255(own * (1 - blur) + (sum / 9) * blur + grain);
      }
    }
  }
  return out;
}
