import type { RgbImage } from '../image/decode.ts';
import { cropSquare, fromSquare } from '../image/resample.ts';
import type { SquareRegion } from '../image/resample.ts';
import type { DetectorEntry } from '../models/manifest.ts';
import type { SessionOptions } from '../models/session.ts';
import { FaceDetector } from './detector.ts';
import { iou } from './nms.ts';
import type { Detection } from './types.ts';

export interface RefinerOptions {
  /** Side of the square the landmark model sees, in pixels (its cost grows with the square). */
  size: number;
  /** Side of the region around the fast detector's box, in multiples of the box's longer side. */
  context: number;
  /** Lowest confidence of the landmark model for the face to count as one (docs/face.md, "Non-faces"). */
  minScore: number;
}

/**
 * Chosen on ../shared/faces and its transformed copies (docs/face.md, "Alignment"): 160 px keeps
 * SCRFD-2.5g at about 6 ms; 1.5 box sizes leave SCRFD the margin around the face it needs.
 */
export const DEFAULT_REFINER_OPTIONS: RefinerOptions = { size: 160, context: 1.5, minScore: 0.6 };

/**
 * Second look at one face with a landmark-accurate detector (SCRFD-2.5g, whose input size is
 * free), on a small square around the box the fast detector (YuNet) found. YuNet finds faces
 * well but places landmarks loosely (about 8 % of the eye distance off SCRFD's on
 * ../shared/faces, over 20 % on heads turned by 15°), and alignment follows the landmarks.
 */
export class LandmarkRefiner {
  readonly options: RefinerOptions;
  readonly entry: DetectorEntry;
  private readonly detector: FaceDetector;

  private constructor(detector: FaceDetector, options: RefinerOptions) {
    this.detector = detector;
    this.entry = detector.entry;
    this.options = options;
  }

  static async load(entry: DetectorEntry, modelDir: string, session: SessionOptions = {}, options: Partial<RefinerOptions> = {}): Promise<LandmarkRefiner> {
    const o = { ...DEFAULT_REFINER_OPTIONS, ...options };
    const sized: DetectorEntry = { ...entry, input: { ...entry.input, width: o.size, height: o.size } };
    const detector = await FaceDetector.load(sized, modelDir, session);
    if (detector.inputWidth !== o.size || detector.inputHeight !== o.size) {
      await detector.close();
      throw new Error(`${entry.name} has a fixed input of ${detector.inputWidth}x${detector.inputHeight}; a landmark refiner needs a model with a free input size`);
    }
    return new LandmarkRefiner(detector, o);
  }

  /**
   * The face as the landmark model sees it (its box, landmarks and score, in image pixels), or
   * undefined when it finds no face there at its minScore: then the fast detector's find was no face.
   */
  async refine(image: RgbImage, face: Detection): Promise<Detection | undefined> {
    const { size, context, minScore } = this.options;
    const side = context * Math.max(face.x2 - face.x1, face.y2 - face.y1);
    const region: SquareRegion = { x0: (face.x1 + face.x2) / 2 - side / 2, y0: (face.y1 + face.y2) / 2 - side / 2, side };
    const found = await this.detector.detect(cropSquare(image, region, size), { minScore, retryPadFraction: 0 });
    const back = found.map((d) => toImage(d, region, size));
    // The same face: overlapping the fast detector's box, and of those the closest to its centre.
    const centre = (d: Detection) => Math.hypot((d.x1 + d.x2 - face.x1 - face.x2) / 2, (d.y1 + d.y2 - face.y1 - face.y2) / 2);
    return back.filter((d) => iou(d, face) >= 0.3).sort((a, b) => centre(a) - centre(b))[0];
  }

  async close(): Promise<void> {
    await this.detector.close();
  }
}

function toImage(d: Detection, region: SquareRegion, size: number): Detection {
  const [x1, y1] = fromSquare(region, size, d.x1, d.y1);
  const [x2, y2] = fromSquare(region, size, d.x2, d.y2);
  const landmarks = new Float64Array(10);
  for (let k = 0; k < 5; k++) {
    const [x, y] = fromSquare(region, size, d.landmarks[2 * k]!, d.landmarks[2 * k + 1]!);
    landmarks[2 * k] = x;
    landmarks[2 * k + 1] = y;
  }
  return { score: d.score, x1, y1, x2, y2, landmarks };
}
