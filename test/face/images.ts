// Crafted uploads shared by the quality and API tests.
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** Two people side by side, 600 px high: two usable faces. */
export async function collage(left: Buffer, right: Buffer): Promise<Buffer> {
  const a = await sharp(left).resize({ height: 600 }).toBuffer({ resolveWithObject: true });
  const b = await sharp(right).resize({ height: 600 }).toBuffer({ resolveWithObject: true });
  return sharp({ create: { width: a.info.width + b.info.width, height: 600, channels: 3, background: '#000' } })
    .composite([
      { input: a.data, left: 0, top: 0 },
      { input: b.data, left: a.info.width, top: 0 },
    ])
    .jpeg({ quality: 92 })
    .toBuffer();
}

/** A uniform 8660 x 5774 (50 MP) PNG: valid and small on disk, over the 40 MP limit. */
export function fiftyMegapixelPng(): Promise<Buffer> {
  return sharp({ create: { width: 8660, height: 5774, channels: 3, background: '#888' } }).png({ compressionLevel: 9 }).toBuffer();
}

/** A valid 1-bit greyscale PNG of zeros: tens of kilobytes on disk, over a gigabyte once decoded to RGB. */
export function bilevelPng(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter, no interlace
  const raw = Buffer.alloc((1 + Math.ceil(width / 8)) * height);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** A face box in a photo's (EXIF-oriented) pixels. */
export interface FaceBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * A kiosk-like scene, 1280×960: the front person's face in the middle (220 px wide), and a second
 * person's face in the top-left corner whose box has 1/areaRatio of the front face's area
 * (someone waiting behind). Each photo is cut to its face with a margin, so the faces never overlap.
 */
export async function sceneWithSecondFace(front: Buffer, frontBox: FaceBox, back: Buffer, backBox: FaceBox, areaRatio: number): Promise<Buffer> {
  const cut = async (photo: Buffer, box: FaceBox, faceWidth: number) => {
    const w = box.x2 - box.x1;
    const h = box.y2 - box.y1;
    const meta = await sharp(photo).rotate().toBuffer({ resolveWithObject: true });
    const left = Math.max(0, Math.round(box.x1 - 0.4 * w));
    const top = Math.max(0, Math.round(box.y1 - 0.4 * h));
    const width = Math.min(meta.info.width - left, Math.round(1.8 * w));
    const height = Math.min(meta.info.height - top, Math.round(1.8 * h));
    return sharp(meta.data).extract({ left, top, width, height }).resize({ width: Math.round((width * faceWidth) / w) }).toBuffer({ resolveWithObject: true });
  };
  const a = await cut(front, frontBox, 220);
  const b = await cut(back, backBox, 220 / Math.sqrt(areaRatio));
  return sharp({ create: { width: 1280, height: 960, channels: 3, background: '#6b6b6b' } })
    .composite([
      { input: b.data, left: 8, top: 8 },
      { input: a.data, left: Math.round((1280 - a.info.width) / 2), top: Math.round((960 - a.info.height) / 2) + 60 },
    ])
    .jpeg({ quality: 92 })
    .toBuffer();
}

/** Deterministic numbers in [0, 1) for drawn test images. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A drawn face (a shaded oval, two dark eyes, a nose stroke, a mouth) on a plain background,
 * 480×480 PNG; `seed` varies its proportions and colours. YuNet scores some of these above its
 * minScore: a non-face the fast detector likes.
 */
export function drawnFace(seed: number): Promise<Buffer> {
  const r = seeded(seed);
  const cx = 240, cy = 240, rx = 70 + r() * 40, ry = rx * (1.1 + r() * 0.4);
  const ex = rx * (0.3 + r() * 0.25), ey = -ry * (0.1 + r() * 0.3), my = ry * (0.3 + r() * 0.3);
  const skin = `hsl(${Math.round(20 + r() * 20)},${Math.round(30 + r() * 40)}%,${Math.round(50 + r() * 30)}%)`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="480">
<rect width="480" height="480" fill="hsl(${Math.round(r() * 360)},15%,${Math.round(20 + r() * 60)}%)"/>
<defs><radialGradient id="g" cx="0.45" cy="0.4" r="0.7"><stop offset="0" stop-color="${skin}"/><stop offset="1" stop-color="#553322"/></radialGradient></defs>
<ellipse cx="${cx}" cy="${cy}" rx="${rx}" ry="${ry}" fill="url(#g)"/>
<ellipse cx="${cx - ex}" cy="${cy + ey}" rx="${8 + r() * 8}" ry="${5 + r() * 5}" fill="#222"/>
<ellipse cx="${cx + ex}" cy="${cy + ey}" rx="${8 + r() * 8}" ry="${5 + r() * 5}" fill="#222"/>
<path d="M ${cx} ${cy + ey + 10} L ${cx - 8} ${cy + my * 0.6} L ${cx + 6} ${cy + my * 0.62}" stroke="#553322" stroke-width="4" fill="none"/>
<path d="M ${cx - rx * 0.35} ${cy + my} Q ${cx} ${cy + my + (r() - 0.3) * 30} ${cx + rx * 0.35} ${cy + my}" stroke="#7a2a2a" stroke-width="${4 + r() * 6}" fill="none"/>
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
