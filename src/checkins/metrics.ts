/**
 * Check-ins' series: every check-in recorded, once per kiosk-made id (a retried id is not counted
 * again), by method and result, with the class of the refusal. Declared by the kiosk capability
 * from the platform's metrics and handed to the check-in service.
 */
import { outcomeCounter, type Metrics } from '../core/metrics.ts';
import { CHECKIN_METHODS, type CheckinMethod } from './checkin-store.ts';

export interface CheckinMetrics {
  /** A check-in was stored for the first time: accepted (no reason) or rejected for this reason. */
  recorded(method: CheckinMethod, reason: string | undefined): void;
}

export const NO_CHECKIN_METRICS: CheckinMetrics = { recorded() {} };

const FACE_QUALITY = new Set(['no_face', 'multiple_faces', 'face_too_small', 'landmarks_out_of_frame', 'too_blurry', 'too_dark', 'too_bright']);
const FACE_IMAGE = new Set(['unsupported_image', 'image_too_large', 'corrupt_image']);
const OWN_CLASS = new Set(['no_match', 'not_registered', 'qr_invalid', 'qr_expired', 'qr_replayed', 'card_revoked', 'card_invalid']);

/**
 * The class of a refused check-in's reason, a label from a fixed set: the photo's quality problems
 * are one class, an unreadable image another, a card's lapsed challenge is an invalid card read;
 * anything new is `other` until it is given a class here.
 */
export function checkinRefusalClass(reason: string): string {
  if (OWN_CLASS.has(reason)) return reason;
  if (FACE_QUALITY.has(reason)) return 'face_quality';
  if (FACE_IMAGE.has(reason)) return 'face_image';
  if (reason === 'challenge_expired') return 'card_invalid';
  return 'other';
}

export function checkinMetrics(metrics: Metrics): CheckinMetrics {
  const record = outcomeCounter(metrics, {
    name: 'pass_checkins_total',
    help: 'Check-ins recorded (each kiosk-made id once), by method (face, qr, card, device-code), result (accepted, rejected) and the class of a rejection (none when accepted)',
    kindLabel: 'method',
    kinds: CHECKIN_METHODS,
    results: { done: 'accepted', refused: 'rejected' },
  });
  return {
    recorded(method, reason) {
      record(method, reason ? checkinRefusalClass(reason) : undefined);
    },
  };
}
