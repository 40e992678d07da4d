/**
 * Issuing and judging active liveness challenges (challenge.ts) for one subject at a time: a
 * challenge is single use, short-lived, kept in the platform's transient store (Redis across
 * nodes), and bound to whoever asked for it — a resident's account or a kiosk — so a burst cannot
 * answer somebody else's challenge. The frames are analysed by the face workers (face, embedding,
 * head pose, passive presentation-attack score) and then forgotten; only the verdict leaves.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { InvalidInputError, UnavailableError } from '../../core/errors.ts';
import { FACE_REASONS } from '../messages.ts';
import type { PresentationAttackResult } from '../pad.ts';
import { drawTurnSteps, judgeBurst, MAX_BURST_FRAMES, MIN_BURST_FRAMES, type ChallengeFailure, type TurnRules, type TurnStep } from './challenge.ts';

/** What the face workers tell of one frame. */
export interface AnalysedFrame {
  yaw: number;
  embedding: Float32Array;
  presentationAttack: PresentationAttackResult;
}

export interface FrameAnalyser {
  /** Refuses (FaceQualityError / FaceImageError) a frame without one clear face. */
  analyseFrame(frame: Uint8Array): Promise<AnalysedFrame>;
  /** The pose model's id (name@sha), for the record. */
  readonly poseModel: string | undefined;
}

/** Single-use records with a lifetime: src/identity/proofing/transient-store.ts's interface. */
export interface ChallengeStore {
  put(key: string, value: string, ttlSeconds: number): Promise<void>;
  take(key: string): Promise<string | undefined>;
}

export interface IssuedChallenge {
  challengeId: string;
  steps: TurnStep[];
  expiresAt: Date;
}

export interface LivenessVerdict {
  passed: boolean;
  /** Why not: the burst's turns (challenge.ts), or a frame the passive check took for a photo or screen. */
  failure?: ChallengeFailure | 'presentation_attack';
  steps: TurnStep[];
  seen: TurnStep[];
  /** Recorded beside the enrollment or check-in like a passive result (method `active_head_turn`). */
  presentationAttack: PresentationAttackResult;
  /** Index of the frame facing the camera (the first), the one to enroll or match. */
  frontalFrame: number;
}

/** A challenge nobody issued to this subject, one used or expired, or a burst of the wrong size. */
export class LivenessChallengeError extends InvalidInputError {
  constructor(reason: 'liveness_challenge_unknown' | 'liveness_frames_invalid', message: string) {
    super(reason, message, undefined, FACE_REASONS.status(reason));
  }
}

const KEY = 'face-liveness:';

export interface LivenessChecksOptions {
  store: ChallengeStore;
  analyser: () => FrameAnalyser | undefined;
  rules: TurnRules;
  ttlSeconds?: number;
  randomInt?: (below: number) => number;
  now?: () => Date;
}

export class LivenessChecks {
  readonly #o: LivenessChecksOptions;
  readonly ttlSeconds: number;

  constructor(options: LivenessChecksOptions) {
    this.#o = options;
    this.ttlSeconds = options.ttlSeconds ?? 60;
  }

  async issue(subject: string): Promise<IssuedChallenge> {
    const challengeId = randomBytes(16).toString('base64url');
    const steps = drawTurnSteps(this.#o.randomInt ?? ((below) => randomInt(below)));
    await this.#o.store.put(`${KEY}${challengeId}`, JSON.stringify({ subject, steps }), this.ttlSeconds);
    const now = (this.#o.now ?? (() => new Date()))();
    return { challengeId, steps, expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000) };
  }

  /**
   * Judges a burst against the challenge, which is used up whatever the verdict (one try per
   * challenge: a recording cannot be tried against it twice). Frames in capture order.
   */
  async judge(subject: string, challengeId: string, frames: readonly Uint8Array[]): Promise<LivenessVerdict> {
    const stored = await this.#o.store.take(`${KEY}${challengeId}`);
    const challenge = stored ? (JSON.parse(stored) as { subject: string; steps: TurnStep[] }) : undefined;
    if (!challenge || challenge.subject !== subject) throw new LivenessChallengeError('liveness_challenge_unknown', 'no such challenge for this subject, or it expired');
    if (frames.length < MIN_BURST_FRAMES || frames.length > MAX_BURST_FRAMES) {
      throw new LivenessChallengeError('liveness_frames_invalid', `a burst has ${MIN_BURST_FRAMES}–${MAX_BURST_FRAMES} frames`);
    }
    const analyser = this.#o.analyser();
    if (!analyser?.poseModel) throw new UnavailableError('liveness_unavailable', 'the head-pose model is not in place');
    // One after another: the workers are shared with check-ins, and a burst must not take them all.
    const analysed: AnalysedFrame[] = [];
    for (const frame of frames) analysed.push(await analyser.analyseFrame(frame));
    const judgement = judgeBurst(challenge.steps, analysed, this.#o.rules);
    // A turning head shown on a screen or a bent print still looks like one to the passive check,
    // whatever turns it shows: that is the finding to record.
    const failure = analysed.some((f) => f.presentationAttack.status === 'attack') ? 'presentation_attack' : judgement.failure;
    return {
      passed: failure === undefined,
      ...(failure ? { failure } : {}),
      steps: challenge.steps,
      seen: judgement.seen,
      presentationAttack: { status: failure ? 'attack' : 'live', score: judgement.score, method: 'active_head_turn', model: analyser.poseModel },
      frontalFrame: 0,
    };
  }
}
