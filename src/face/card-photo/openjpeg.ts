/**
 * OpenJPEG in WebAssembly (@cornerstonejs/codec-openjpeg), its decode-only build, loaded once per
 * thread (the inference workers decode card photos). OpenJPEG reports a broken codestream by
 * printing `[ERROR] …` and leaving the frame empty rather than by throwing; both are read here.
 * A WebAssembly trap or abort leaves the module's memory in an unknown state, so the module is
 * dropped and the next photo loads a fresh one.
 */
import { createRequire } from 'node:module';

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}

interface J2KDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): FrameInfo;
  delete(): void;
}

interface OpenJpegModule {
  J2KDecoder: new () => J2KDecoder;
}

export interface DecodedCodestream {
  /** Interleaved samples, one byte each (the codestream was checked to be at most 8-bit). */
  samples: Uint8Array;
  frame: FrameInfo;
  /** OpenJPEG's own `[ERROR]` lines, if it printed any. */
  errors: string[];
}

let module: Promise<OpenJpegModule> | undefined;
/** Where the module's output goes while one (synchronous) decode runs. */
let printed: string[] = [];

function load(): Promise<OpenJpegModule> {
  const require = createRequire(import.meta.url);
  const factory = require('@cornerstonejs/codec-openjpeg/decodewasmjs') as (options: object) => Promise<OpenJpegModule>;
  const collect = (line: string) => {
    if (printed.length < 32) printed.push(String(line));
  };
  module ??= factory({ print: collect, printErr: collect }).catch((error: unknown) => {
    module = undefined;
    throw error;
  });
  return module;
}

/** Decodes one bare codestream; throws whatever OpenJPEG or WebAssembly throws (the caller types it). */
export async function decodeCodestream(codestream: Uint8Array): Promise<DecodedCodestream> {
  const openjpeg = await load();
  printed = [];
  let decoder: J2KDecoder | undefined;
  try {
    decoder = new openjpeg.J2KDecoder();
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    decoder.decode();
    const frame = { ...decoder.getFrameInfo() };
    // A view into WebAssembly memory: copied before the decoder is freed.
    const samples = decoder.getDecodedBuffer().slice();
    return { samples, frame, errors: printed.filter((line) => line.includes('[ERROR]')) };
  } catch (error) {
    module = undefined;
    decoder = undefined;
    throw error;
  } finally {
    decoder?.delete();
    printed = [];
  }
}
