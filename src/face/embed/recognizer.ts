import * as ort from 'onnxruntime-node';
import type { RgbImage } from '../image/decode.ts';
import { fillNchw } from '../image/tensor.ts';
import type { RecognizerEntry } from '../models/manifest.ts';
import { BufferPool, loadSession, staticInputDims } from '../models/session.ts';
import type { SessionOptions } from '../models/session.ts';
import { l2normalize } from '../match/vector.ts';

/**
 * An ArcFace-style recognizer. Input size and embedding length come from the model itself, so
 * any such ONNX model works once it has a manifest entry with its preprocessing.
 */
export class FaceRecognizer {
  readonly entry: RecognizerEntry;
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly embeddingLength: number;
  private readonly session: ort.InferenceSession;
  private readonly inputName: string;
  private readonly outputName: string;
  private readonly pool: BufferPool;

  private constructor(entry: RecognizerEntry, session: ort.InferenceSession, width: number, height: number, length: number) {
    this.entry = entry;
    this.session = session;
    this.inputName = session.inputNames[0]!;
    this.outputName = session.outputNames[0]!;
    this.inputWidth = width;
    this.inputHeight = height;
    this.embeddingLength = length;
    this.pool = new BufferPool(3 * width * height);
  }

  static async load(entry: RecognizerEntry, modelDir: string, options: SessionOptions = {}): Promise<FaceRecognizer> {
    const session = await loadSession(entry, modelDir, options);
    const [, , h, w] = staticInputDims(session);
    const width = w ?? entry.input.width;
    const height = h ?? entry.input.height;
    const out = session.outputMetadata[0];
    let length = out && out.isTensor ? out.shape[out.shape.length - 1] : undefined;
    if (typeof length !== 'number' || length <= 0) {
      // Symbolic output shape: one probe run on a blank face tells the embedding length.
      const probe = new ort.Tensor('float32', new Float32Array(3 * width * height), [1, 3, height, width]);
      const result = await session.run({ [session.inputNames[0]!]: probe });
      length = result[session.outputNames[0]!]!.size;
    }
    return new FaceRecognizer(entry, session, width, height, length);
  }

  /** Embeds an aligned crop of inputWidth x inputHeight; the result is L2-normalised. */
  async embed(face: RgbImage): Promise<Float32Array> {
    if (face.width !== this.inputWidth || face.height !== this.inputHeight) {
      throw new Error(`aligned face is ${face.width}x${face.height}; ${this.entry.name} expects ${this.inputWidth}x${this.inputHeight}`);
    }
    const buffer = this.pool.take();
    try {
      fillNchw(face.data, face.width, face.height, this.entry.preprocessing, buffer);
      const input = new ort.Tensor('float32', buffer, [1, 3, this.inputHeight, this.inputWidth]);
      const result = await this.session.run({ [this.inputName]: input });
      const data = result[this.outputName]?.data;
      if (!(data instanceof Float32Array) || data.length !== this.embeddingLength) {
        throw new Error(`${this.entry.name} returned an unexpected output`);
      }
      return l2normalize(Float32Array.from(data));
    } finally {
      this.pool.give(buffer);
    }
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
