import * as ort from 'onnxruntime-node';
import type { RgbImage } from '../image/decode.ts';
import { letterboxInto } from '../image/tensor.ts';
import type { Letterbox } from '../image/tensor.ts';
import type { DetectorEntry } from '../models/manifest.ts';
import { BufferPool, loadSession, staticInputDims } from '../models/session.ts';
import type { SessionOptions } from '../models/session.ts';
import { decodeScrfd, decodeYunet } from './decoders.ts';
import { nms } from './nms.ts';
import type { Detection, TensorMap } from './types.ts';

export interface DetectOptions {
  /** Candidates below this confidence are ignored. */
  minScore: number;
  /** Overlap above which the weaker of two boxes is dropped. */
  nmsIou: number;
  /** Border added on the retry when nothing is found; 0.5 = half the image size on each side. */
  retryPadFraction: number;
}

export const DEFAULT_DETECT_OPTIONS: Omit<DetectOptions, 'minScore'> = { nmsIou: 0.4, retryPadFraction: 0.5 };

export class FaceDetector {
  readonly entry: DetectorEntry;
  readonly inputWidth: number;
  readonly inputHeight: number;
  private readonly session: ort.InferenceSession;
  private readonly inputName: string;
  private readonly pool: BufferPool;

  private constructor(entry: DetectorEntry, session: ort.InferenceSession) {
    this.entry = entry;
    this.session = session;
    this.inputName = entry.input.name ?? session.inputNames[0]!;
    const [, , h, w] = staticInputDims(session);
    // A fixed-size model dictates its input; a dynamic one (SCRFD-2.5g) uses the manifest size.
    this.inputWidth = w ?? entry.input.width;
    this.inputHeight = h ?? entry.input.height;
    this.pool = new BufferPool(3 * this.inputWidth * this.inputHeight);
  }

  static async load(entry: DetectorEntry, modelDir: string, options: SessionOptions = {}): Promise<FaceDetector> {
    return new FaceDetector(entry, await loadSession(entry, modelDir, options));
  }

  /**
   * Finds faces, highest score first, in source-image pixels. Tight crops where the face fills
   * the frame are often missed, so an empty result is retried once with a black border.
   */
  async detect(image: RgbImage, overrides: Partial<DetectOptions> = {}): Promise<Detection[]> {
    const options: DetectOptions = { ...DEFAULT_DETECT_OPTIONS, minScore: this.entry.minScore, ...overrides };
    const found = await this.detectOnce(image, options, 0);
    if (found.length > 0 || options.retryPadFraction <= 0) return found;
    return this.detectOnce(image, options, options.retryPadFraction);
  }

  private async detectOnce(image: RgbImage, options: DetectOptions, padFraction: number): Promise<Detection[]> {
    const buffer = this.pool.take();
    try {
      const box = await letterboxInto(image, this.inputWidth, this.inputHeight, this.entry.preprocessing, buffer, padFraction);
      const input = new ort.Tensor('float32', buffer, [1, 3, this.inputHeight, this.inputWidth]);
      const outputs = (await this.session.run({ [this.inputName]: input })) as unknown as TensorMap;
      const raw = this.decode(outputs, options.minScore);
      return nms(raw, options.nmsIou).map((d) => toSource(d, box));
    } finally {
      this.pool.give(buffer);
    }
  }

  private decode(outputs: TensorMap, minScore: number): Detection[] {
    const spec = this.entry.output;
    return spec.decoder === 'yunet'
      ? decodeYunet(outputs, spec, this.inputWidth, this.inputHeight, minScore)
      : decodeScrfd(outputs, spec, this.inputWidth, this.inputHeight, minScore);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

function toSource(d: Detection, box: Letterbox): Detection {
  const fx = (x: number) => (x - box.offsetX) / box.scale;
  const fy = (y: number) => (y - box.offsetY) / box.scale;
  const landmarks = new Float64Array(10);
  for (let k = 0; k < 5; k++) {
    landmarks[2 * k] = fx(d.landmarks[2 * k]!);
    landmarks[2 * k + 1] = fy(d.landmarks[2 * k + 1]!);
  }
  return { score: d.score, x1: fx(d.x1), y1: fy(d.y1), x2: fx(d.x2), y2: fy(d.y2), landmarks };
}
