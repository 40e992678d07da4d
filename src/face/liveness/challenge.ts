/**
 * The active liveness challenge (issue 17): PASS asks for a short, random sequence of head turns
 * and judges a burst of camera frames on the server — a printed photo or a still on a screen does
 * not turn, and a video made beforehand has to guess the order. Nothing the client says about
 * the frames is trusted: each frame is analysed here (face, embedding, head pose).
 *
 * A burst passes when its first frame faces the camera, every frame shows the same person as the
 * first (cosine at least the 1:1 threshold), and the turns it shows — each frame classed as
 * centre, left or right by its yaw relative to the first frame's — are exactly the steps asked,
 * in order. The angles (docs/face.md "Active liveness") were chosen on ../shared/faces, whose
 * turned photos lie 14–24° from their person's frontal ones; at a kiosk a turn asked for is 25°+.
 */
export type TurnStep = 'left' | 'right';

export interface BurstFrame {
  /** Degrees; positive when the person turns to their own right. */
  yaw: number;
  /** L2-normalised embedding of the frame's face. */
  embedding: Float32Array;
}

export interface TurnRules {
  /** The first frame's |yaw| at most this: the person starts by facing the camera. */
  frontalDegrees: number;
  /** A turn: the yaw moved at least this far from the first frame's, towards the side asked. */
  turnDegrees: number;
  /** Every frame's face against the first frame's: at least this cosine (the 1:1 threshold). */
  samePersonCosine: number;
}

export const DEFAULT_TURN_RULES: Omit<TurnRules, 'samePersonCosine'> = { frontalDegrees: 15, turnDegrees: 12 };
export const MIN_BURST_FRAMES = 3;
export const MAX_BURST_FRAMES = 16;

export type ChallengeFailure = 'not_facing_camera' | 'person_changed' | 'no_turn' | 'wrong_turns';

export interface ChallengeJudgement {
  passed: boolean;
  failure?: ChallengeFailure;
  /** The turns the burst showed, in order. */
  seen: TurnStep[];
  /** Share of the asked steps the burst showed in order (0–1). */
  score: number;
}

/** Two or three alternating turns from a random side: four sequences a recording must guess among. */
export function drawTurnSteps(randomInt: (below: number) => number): TurnStep[] {
  const first: TurnStep = randomInt(2) === 0 ? 'left' : 'right';
  const other: TurnStep = first === 'left' ? 'right' : 'left';
  return randomInt(2) === 0 ? [first, other] : [first, other, first];
}

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** The turns a burst shows: frames classed by yaw relative to the first, centre frames and repeats dropped. */
export function turnsSeen(frames: readonly BurstFrame[], turnDegrees: number): TurnStep[] {
  const start = frames[0]!.yaw;
  const seen: TurnStep[] = [];
  for (const frame of frames.slice(1)) {
    const moved = frame.yaw - start;
    const side: TurnStep | undefined = moved >= turnDegrees ? 'right' : moved <= -turnDegrees ? 'left' : undefined;
    if (side && seen.at(-1) !== side) seen.push(side);
  }
  return seen;
}

export function judgeBurst(steps: readonly TurnStep[], frames: readonly BurstFrame[], rules: TurnRules): ChallengeJudgement {
  if (frames.length === 0 || Math.abs(frames[0]!.yaw) > rules.frontalDegrees) return { passed: false, failure: 'not_facing_camera', seen: [], score: 0 };
  const first = frames[0]!.embedding;
  if (frames.some((f) => cosine(f.embedding, first) < rules.samePersonCosine)) return { passed: false, failure: 'person_changed', seen: [], score: 0 };
  const seen = turnsSeen(frames, rules.turnDegrees);
  let met = 0;
  while (met < steps.length && seen[met] === steps[met]) met++;
  const score = steps.length ? met / steps.length : 0;
  if (seen.length === 0) return { passed: false, failure: 'no_turn', seen, score };
  if (met !== steps.length || seen.length !== steps.length) return { passed: false, failure: 'wrong_turns', seen, score };
  return { passed: true, seen, score: 1 };
}
