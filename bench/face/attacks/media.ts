// What the attacker holds up to the kiosk camera, drawn from a photo of the resident:
// - print: an inkjet/laser print — ink cannot reach black nor paper white, colours shift and
//   desaturate, a rotated CMY halftone screen leaves a dot texture, paper has grain and fibres,
//   a white margin frames the picture, and room light falls unevenly across the sheet;
// - screen: a phone or tablet replaying the photo — a raised black level and a different gamma
//   and white point, the pixel grid beating against the camera's (moiré), a dark bezel, and a
//   specular glare of the room's light on the glass;
// - cut-out: the print, cut along an ellipse around the face, so no margin is seen and the room
//   shows around the head (the eyes are not cut out: see docs/face.md, "PAD").
import type { RgbImage } from '../../../src/face/image/decode.ts';
import { between, blank, clamp255, valueNoise } from './scene.ts';
import type { Rand } from './scene.ts';
// Jest runs this in a vm context, where every global lookup (Math.*) in a per-pixel loop is slow.
const { PI, abs, cos, exp, floor, max, min, pow, round, sin } = Math;


/** The photo as ink on paper: tone range, colour cast, halftone dots and paper texture. */
export function inkOnPaper(photo: RgbImage, rand: Rand): RgbImage {
  const { width: w, height: h } = photo;
  const black = between(rand, 18, 40), white = between(rand, 222, 245);
  const gamma = between(rand, 0.9, 1.2);
  const saturation = between(rand, 0.6, 0.85);
  const cast = [between(rand, 1.0, 1.08), between(rand, 0.97, 1.03), between(rand, 0.86, 0.96)];
  const period = between(rand, 2.6, 4.2);
  const depth = between(rand, 0.25, 0.45);
  const angles = [15, 75, 0].map((a) => ((a + between(rand, -5, 5)) * PI) / 180);
  const fibres = valueNoise(w, h, 6, rand);
  const light = { gx: between(rand, -0.18, 0.18), gy: between(rand, -0.18, 0.18) };
  const out = blank(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const r = photo.data[3 * i]!, g = photo.data[3 * i + 1]!, b = photo.data[3 * i + 2]!;
      const luma = 0.299 * r + 0.587 * g + 0.114 * b;
      const illumination = 1 + light.gx * (x / w - 0.5) * 2 + light.gy * (y / h - 0.5) * 2;
      const paper = 3 * fibres[i]! + (rand() - 0.5) * 8;
      for (let c = 0; c < 3; c++) {
        const v = (luma + saturation * ([r, g, b][c]! - luma)) / 255;
        let tone = black + (white - black) * pow(max(0, v), gamma);
        // Amplitude-modulated dots: a rotated cosine screen per ink, the dot covering more where darker.
        const a = angles[c]!;
        const u = (x * cos(a) + y * sin(a)) / period, t = (-x * sin(a) + y * cos(a)) / period;
        const screen = 0.5 + 0.25 * (cos(2 * PI * u) + cos(2 * PI * t));
        const dot = tone / 255 > screen ? white : black;
        tone = tone * (1 - depth) + dot * depth;
        out.data[3 * i + c] = clamp255((tone * cast[c]! + paper) * illumination);
      }
    }
  }
  return out;
}

/** A sheet: the picture inside a paper margin of 3–7 % of its size. */
export function printSheet(ink: RgbImage, rand: Rand): RgbImage {
  const margin = round(max(ink.width, ink.height) * between(rand, 0.03, 0.07));
  const w = ink.width + 2 * margin, h = ink.height + 2 * margin;
  const paper = [between(rand, 228, 248), between(rand, 226, 244), between(rand, 212, 236)];
  const out = blank(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = 3 * (y * w + x);
      const ix = x - margin, iy = y - margin;
      if (ix >= 0 && iy >= 0 && ix < ink.width && iy < ink.height) {
        out.data.set(ink.data.subarray(3 * (iy * ink.width + ix), 3 * (iy * ink.width + ix) + 3), o);
      } else {
        const grain = (rand() - 0.5) * 6;
        for (let c = 0; c < 3; c++) out.data[o + c] = clamp255(paper[c]! + grain);
      }
    }
  }
  return out;
}

/** The photo on a phone or tablet screen, in its bezel, with moiré and a glare. */
export function screenReplay(photo: RgbImage, rand: Rand): RgbImage {
  const { width: pw, height: ph } = photo;
  const bezel = round(max(pw, ph) * between(rand, 0.04, 0.08));
  const w = pw + 2 * bezel, h = ph + 2 * bezel;
  const blackLevel = between(rand, 10, 28);
  const gamma = between(rand, 0.7, 0.9);
  const whitePoint = [between(rand, 0.9, 0.97), between(rand, 0.96, 1.0), between(rand, 1.02, 1.1)];
  // Two gratings a little apart in angle and frequency: their beat is the camera-visible moiré.
  const moire = [0, 1].map(() => ({ f: 1 / between(rand, 5, 14), a: between(rand, 0, PI), phase: between(rand, 0, 2 * PI) }));
  const moireDepth = between(rand, 0.08, 0.18);
  const gridPeriod = between(rand, 2.5, 3.5), gridDepth = between(rand, 0.06, 0.14);
  const glare = { x: between(rand, 0.15, 0.85) * pw, y: between(rand, 0.1, 0.7) * ph, sx: between(rand, 0.08, 0.25) * pw, sy: between(rand, 0.05, 0.18) * ph, peak: between(rand, 70, 140) };
  const bezelGrey = between(rand, 8, 40);
  const out = blank(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = 3 * (y * w + x);
      const ix = x - bezel, iy = y - bezel;
      if (ix < 0 || iy < 0 || ix >= pw || iy >= ph) {
        // The bezel's glass edge catches a thin highlight.
        const edge = min(abs(ix), abs(iy), abs(ix - pw + 1), abs(iy - ph + 1)) < 2 ? 25 : 0;
        for (let c = 0; c < 3; c++) out.data[o + c] = clamp255(bezelGrey + edge + (rand() - 0.5) * 4);
        continue;
      }
      let m = 1;
      for (const g of moire) m -= (moireDepth / 2) * (0.5 + 0.5 * cos(2 * PI * g.f * (ix * cos(g.a) + iy * sin(g.a)) + g.phase));
      const grid = (ix % gridPeriod < 1 || iy % gridPeriod < 1) ? 1 - gridDepth : 1;
      const gx = (ix - glare.x) / glare.sx, gy = (iy - glare.y) / glare.sy;
      const shine = glare.peak * exp(-(gx * gx + gy * gy) / 2);
      for (let c = 0; c < 3; c++) {
        // Subpixel stripes: each column of a pixel lights one primary a little more.
        const stripe = floor(ix) % 3 === c ? 1.06 : 0.97;
        const v = photo.data[3 * (iy * pw + ix) + c]! / 255;
        const tone = blackLevel + (255 - blackLevel) * pow(v, gamma) * whitePoint[c]!;
        out.data[o + c] = clamp255(tone * m * grid * stripe + shine);
      }
    }
  }
  return out;
}

export interface FaceBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** The pixels of a cut-out: an ellipse around the face (its box widened), 1 inside. */
export function headMask(width: number, height: number, face: FaceBox): Uint8Array {
  const cx = (face.x1 + face.x2) / 2, cy = (face.y1 + face.y2) / 2 - 0.1 * (face.y2 - face.y1);
  const rx = 0.85 * (face.x2 - face.x1), ry = 1.0 * (face.y2 - face.y1);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - cx) / rx, dy = (y - cy) / ry;
      mask[y * width + x] = dx * dx + dy * dy <= 1 ? 1 : 0;
    }
  }
  return mask;
}
