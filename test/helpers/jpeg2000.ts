// JPEG 2000 test material made with OpenJPEG's encoder (the WebAssembly build PASS decodes with):
// bare codestreams and JP2 files (T.800 Annex I), for the card photo tests and the fuzzer.
import { loadOpenJpeg } from '../card/card-fixtures.ts';

export interface J2kOptions {
  /** The irreversible 9/7 wavelet instead of the lossless 5/3. */
  lossy?: boolean;
  tile?: number;
  decompositions?: number;
  progression?: number;
}

interface Encoder {
  getDecodedBuffer(info: object): Uint8Array;
  setQuality(lossless: boolean, quality: number): void;
  setTileSize(size: { width: number; height: number }): void;
  setDecompositions(n: number): void;
  setProgressionOrder(n: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

/** A bare codestream of 8-bit pixels (1 or 3 interleaved channels). */
export async function encodeJ2k(pixels: Uint8Array, width: number, height: number, channels: number, options: J2kOptions = {}): Promise<Uint8Array> {
  const codec = (await loadOpenJpeg()) as unknown as { J2KEncoder: new () => Encoder };
  const encoder = new codec.J2KEncoder();
  try {
    encoder.getDecodedBuffer({ width, height, bitsPerSample: 8, componentCount: channels, isSigned: false }).set(pixels);
    if (options.lossy) encoder.setQuality(false, 0);
    if (options.tile) encoder.setTileSize({ width: options.tile, height: options.tile });
    if (options.decompositions !== undefined) encoder.setDecompositions(options.decompositions);
    if (options.progression !== undefined) encoder.setProgressionOrder(options.progression);
    encoder.encode();
    return encoder.getEncodedBuffer().slice();
  } finally {
    encoder.delete();
  }
}

export function jp2Box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const length = 8 + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(length);
  new DataView(out.buffer).setUint32(0, length);
  out.set(Buffer.from(type, 'latin1'), 4);
  let at = 8;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The codestream in a JP2 file: signature, file type, header (ihdr, colr), codestream. */
export function jp2(codestream: Uint8Array, width: number, height: number, channels: number, enumeratedColour = channels === 1 ? 17 : 16): Uint8Array {
  const ihdr = new Uint8Array(14);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, height);
  view.setUint32(4, width);
  view.setUint16(8, channels);
  ihdr[10] = 7; // 8 bits, unsigned
  ihdr[11] = 7; // compression: JPEG 2000
  const colr = new Uint8Array(7);
  colr[0] = 1; // enumerated colour space
  new DataView(colr.buffer).setUint32(3, enumeratedColour);
  const ftyp = new Uint8Array([...Buffer.from('jp2 '), 0, 0, 0, 0, ...Buffer.from('jp2 ')]);
  return new Uint8Array(
    Buffer.concat([
      jp2Box('jP  ', Uint8Array.of(0x0d, 0x0a, 0x87, 0x0a)),
      jp2Box('ftyp', ftyp),
      jp2Box('jp2h', jp2Box('ihdr', ihdr), jp2Box('colr', colr)),
      jp2Box('jp2c', codestream),
    ]),
  );
}
