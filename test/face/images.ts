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
