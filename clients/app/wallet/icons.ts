/**
 * The PASS app's icons, drawn here rather than shipped as images: a blue square (PASS's brand
 * colour) holding a white card with a round portrait and two text lines, i.e. an ID card. The
 * card sits well inside the central 80% circle, so one drawing serves as both an `any` and a
 * `maskable` icon (launchers crop maskable icons to their own shape). PNG for the launchers that
 * need bitmaps (Chrome's install prompt wants 192 and 512 pixels), SVG for the rest.
 */
import { crc32, deflateSync } from 'node:zlib';

const BRAND: Rgb = [0x0b, 0x5c, 0xad];
const WHITE: Rgb = [0xff, 0xff, 0xff];
type Rgb = [number, number, number];

/** The drawing in a unit square: which colour a point (0..1, 0..1) has. */
function colourAt(x: number, y: number): Rgb {
  const inCard = roundedRect(x, y, 0.2, 0.3, 0.8, 0.7, 0.06);
  if (!inCard) return BRAND;
  // The portrait (left) and two lines of text (right) are the brand colour on the white card.
  if ((x - 0.36) ** 2 + (y - 0.5) ** 2 <= 0.09 ** 2) return BRAND;
  if (roundedRect(x, y, 0.5, 0.42, 0.72, 0.47, 0.02) || roundedRect(x, y, 0.5, 0.53, 0.66, 0.58, 0.02)) return BRAND;
  return WHITE;
}

function roundedRect(x: number, y: number, left: number, top: number, right: number, bottom: number, radius: number): boolean {
  if (x < left || x > right || y < top || y > bottom) return false;
  const cx = Math.min(Math.max(x, left + radius), right - radius);
  const cy = Math.min(Math.max(y, top + radius), bottom - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** The icon as an RGB PNG of `size` pixels, each pixel the average of 3×3 samples (smooth edges). */
export function iconPng(size: number): Buffer {
  const samples = 3;
  const rows = Buffer.alloc(size * (1 + size * 3));
  for (let py = 0; py < size; py++) {
    const row = py * (1 + size * 3);
    rows[row] = 0; // filter type None
    for (let px = 0; px < size; px++) {
      let [r, g, b] = [0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = colourAt((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          r += c[0];
          g += c[1];
          b += c[2];
        }
      }
      const at = row + 1 + px * 3;
      rows[at] = Math.round(r / samples ** 2);
      rows[at + 1] = Math.round(g / samples ** 2);
      rows[at + 2] = Math.round(b / samples ** 2);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** The same drawing as SVG (a 100-unit square). */
export function iconSvg(): string {
  const hex = (c: Rgb) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" role="img" aria-label="PASS">',
    `<rect width="100" height="100" fill="${hex(BRAND)}"/>`,
    `<rect x="20" y="30" width="60" height="40" rx="6" fill="${hex(WHITE)}"/>`,
    `<circle cx="36" cy="50" r="9" fill="${hex(BRAND)}"/>`,
    `<rect x="50" y="42" width="22" height="5" rx="2" fill="${hex(BRAND)}"/>`,
    `<rect x="50" y="53" width="16" height="5" rx="2" fill="${hex(BRAND)}"/>`,
    '</svg>',
  ].join('');
}
