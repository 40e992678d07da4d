/**
 * A periodic-texture score for the middle of the face: how far the strongest fine periodic
 * component stands above the rest of its frequency. Skin photographed live has a smooth spectrum;
 * a halftone print's dot screen and a screen's pixel grid beating against the camera's (moiré)
 * leave sharp peaks at periods of a few pixels. The score is the natural log of the largest ratio
 * of a frequency's power to the median power of its ring (same radius), for periods of 2.2–16
 * pixels, leaving out the two axes (JPEG's 8×8 blocks and straight hair or glasses edges put
 * power there). Measured on ../shared/faces: bona fide photos and kiosk frames 2.1–4.4
 * (docs/face.md, "PAD"). Cheap: one 128×128 FFT.
 */
import type { Detection } from '../detect/types.ts';
import type { RgbImage } from '../image/decode.ts';

const { PI, abs, cos, floor, log, max, min, round, sin, sqrt } = Math;

/** In-place radix-2 FFT of one row or column. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i]!, ti = im[i]!;
      re[i] = re[j]!; im[i] = im[j]!;
      re[j] = tr; im[j] = ti;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (-2 * PI) / len, wr = cos(angle), wi = sin(angle), half = len >> 1;
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < half; k++) {
        const a = i + k, b = a + half;
        const tr = re[b]! * cr - im[b]! * ci, ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr; im[b] = im[a]! - ti;
        re[a] = re[a]! + tr; im[a] = im[a]! + ti;
        const next = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = next;
      }
    }
  }
}

function fft2d(re: Float64Array, im: Float64Array, n: number): void {
  const rr = new Float64Array(n), ri = new Float64Array(n);
  for (let pass = 0; pass < 2; pass++) {
    for (let a = 0; a < n; a++) {
      // Rows first, then columns.
      for (let b = 0; b < n; b++) { const i = pass === 0 ? a * n + b : b * n + a; rr[b] = re[i]!; ri[b] = im[i]!; }
      fft(rr, ri);
      for (let b = 0; b < n; b++) { const i = pass === 0 ? a * n + b : b * n + a; re[i] = rr[b]!; im[i] = ri[b]!; }
    }
  }
}

export function periodicTextureScore(image: RgbImage, face: Pick<Detection, 'x1' | 'y1' | 'x2' | 'y2'>): number {
  // A power-of-two window inside the face (80 % of its shorter side), in the photo's own pixels:
  // resampling would blur away the very periods looked for.
  const side = floor(min(face.x2 - face.x1, face.y2 - face.y1) * 0.8);
  const n = side >= 128 ? 128 : side >= 64 ? 64 : 32;
  if (image.width < n || image.height < n) return 0;
  const x0 = max(0, min(image.width - n, round((face.x1 + face.x2) / 2 - n / 2)));
  const y0 = max(0, min(image.height - n, round((face.y1 + face.y2) / 2 - n / 2)));
  const re = new Float64Array(n * n), im = new Float64Array(n * n);
  let mean = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const o = 3 * ((y0 + y) * image.width + x0 + x);
      const grey = 0.299 * image.data[o]! + 0.587 * image.data[o + 1]! + 0.114 * image.data[o + 2]!;
      re[y * n + x] = grey;
      mean += grey;
    }
  }
  mean /= n * n;
  // A Hann window, so the window's own edges do not spread power over every frequency.
  const hann = Float64Array.from({ length: n }, (_, i) => 0.5 - 0.5 * cos((2 * PI * i) / (n - 1)));
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) re[y * n + x] = (re[y * n + x]! - mean) * hann[x]! * hann[y]!;
  fft2d(re, im, n);

  const lo = n / 16, hi = n / 2.2;
  const rings: number[][] = Array.from({ length: floor(hi) + 2 }, () => []);
  const power = new Float64Array(n * n);
  const ringOf = new Int32Array(n * n).fill(-1);
  for (let v = 0; v < n; v++) {
    const fv = v <= n / 2 ? v : v - n;
    for (let u = 0; u < n; u++) {
      const fu = u <= n / 2 ? u : u - n;
      const r = round(sqrt(fu * fu + fv * fv));
      if (r < lo || r > hi) continue;
      const i = v * n + u;
      power[i] = re[i]! * re[i]! + im[i]! * im[i]!;
      rings[r]!.push(power[i]!);
      if (abs(fu) > 1 && abs(fv) > 1) ringOf[i] = r;
    }
  }
  const median = rings.map((ring) => (ring.length === 0 ? 0 : ring.sort((a, b) => a - b)[floor(ring.length / 2)]!));
  let best = 1;
  for (let i = 0; i < n * n; i++) {
    const r = ringOf[i]!;
    if (r >= 0) best = max(best, power[i]! / (median[r]! + 1e-9));
  }
  return log(best);
}
