import type { Detection } from '../detect/types.ts';

/**
 * The five landmarks of a detection, described in the face's own frame (rotated so that the eye
 * line is horizontal) and in units of the eye distance. A detector that takes a ball, a poster or
 * a pattern for a face usually puts its landmarks where no face has them.
 */
export interface LandmarkGeometry {
  /** Angle of the eye line, degrees; positive turns clockwise in the image. */
  rollDeg: number;
  /** Eye distance over the box width. */
  eyesToBox: number;
  /** How far below the eye line the nose is. */
  noseDrop: number;
  /** How far below the eye line the middle of the mouth is. */
  mouthDrop: number;
  /** Sideways distance of the nose from the middle of the eyes (head turned). */
  noseOffset: number;
  /** Sideways distance of the middle of the mouth from the middle of the eyes. */
  mouthOffset: number;
  /** Distance between the mouth corners. */
  mouthWidth: number;
}

/**
 * Bounds of a plausible face. Measured on 419 YuNet detections (../shared/faces, its transformed
 * copies and the package photos of bench/face/package-faces.ts), 1st–99th percentile: roll
 * −17…14°, eyes/box 0.36–0.51, nose drop 0.46–0.74, mouth drop 0.86–1.37, nose offset ≤ 0.29,
 * mouth offset ≤ 0.12, mouth width 0.72–0.97; the bounds leave a wide margin (docs/face.md,
 * "Non-faces"). A head turned to profile fails them too: a kiosk asks for a face towards the camera.
 */
export interface GeometryBounds {
  maxRollDeg: number;
  eyesToBox: [number, number];
  noseDrop: [number, number];
  mouthDrop: [number, number];
  maxNoseOffset: number;
  maxMouthOffset: number;
  mouthWidth: [number, number];
}

export const DEFAULT_GEOMETRY_BOUNDS: GeometryBounds = {
  maxRollDeg: 40,
  eyesToBox: [0.28, 0.7],
  noseDrop: [0.3, 1.0],
  mouthDrop: [0.65, 1.7],
  maxNoseOffset: 0.55,
  maxMouthOffset: 0.35,
  mouthWidth: [0.5, 1.25],
};

export function landmarkGeometry(face: Detection): LandmarkGeometry {
  const l = face.landmarks;
  const [lx, ly, rx, ry, nx, ny, mlx, mly, mrx, mry] = Array.from({ length: 10 }, (_, i) => l[i]!) as [
    number, number, number, number, number, number, number, number, number, number,
  ];
  const ex = rx - lx;
  const ey = ry - ly;
  const eye = Math.hypot(ex, ey);
  if (eye === 0) {
    return { rollDeg: 0, eyesToBox: 0, noseDrop: 0, mouthDrop: 0, noseOffset: Infinity, mouthOffset: Infinity, mouthWidth: 0 };
  }
  const cos = ex / eye;
  const sin = ey / eye;
  const cx = (lx + rx) / 2;
  const cy = (ly + ry) / 2;
  // Coordinates along the eye line (u) and down from it (v), in eye distances.
  const u = (x: number, y: number) => ((x - cx) * cos + (y - cy) * sin) / eye;
  const v = (x: number, y: number) => (-(x - cx) * sin + (y - cy) * cos) / eye;
  const mx = (mlx + mrx) / 2;
  const my = (mly + mry) / 2;
  return {
    rollDeg: (Math.atan2(ey, ex) * 180) / Math.PI,
    eyesToBox: eye / Math.max(1e-9, face.x2 - face.x1),
    noseDrop: v(nx, ny),
    mouthDrop: v(mx, my),
    noseOffset: Math.abs(u(nx, ny)),
    mouthOffset: Math.abs(u(mx, my)),
    mouthWidth: Math.hypot(mrx - mlx, mry - mly) / eye,
  };
}

/** The first bound a detection breaks, or undefined when its landmarks could be a face's. */
export function implausibleGeometry(g: LandmarkGeometry, b: GeometryBounds = DEFAULT_GEOMETRY_BOUNDS): string | undefined {
  const outside = (x: number, [lo, hi]: [number, number]) => !(x >= lo && x <= hi);
  if (!(Math.abs(g.rollDeg) <= b.maxRollDeg)) return 'roll';
  if (outside(g.eyesToBox, b.eyesToBox)) return 'eyes_to_box';
  if (outside(g.noseDrop, b.noseDrop)) return 'nose_drop';
  if (outside(g.mouthDrop, b.mouthDrop) || g.mouthDrop <= g.noseDrop) return 'mouth_drop';
  if (!(g.noseOffset <= b.maxNoseOffset)) return 'nose_offset';
  if (!(g.mouthOffset <= b.maxMouthOffset)) return 'mouth_offset';
  if (outside(g.mouthWidth, b.mouthWidth)) return 'mouth_width';
  return undefined;
}
