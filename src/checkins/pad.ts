/**
 * Presentation-attack detection at a kiosk's face check-in, under the facility's PAD policy
 * (src/facilities/pad-policy.ts): what is kept with the check-in, and whether the check-in is
 * refused before anyone is looked up.
 *
 * At a `required` facility an attack is refused as `presentation_attack`, and a face the detector
 * did not check (no PAD model installed, or it failed) as `pad_unavailable`: a facility that
 * asked for PAD must not be let down silently; staff see the reason in their alert and can switch
 * the facility to `record` or install the model. Either refusal comes before the gallery search,
 * so a photo of a resident never produces a "checked in" for them.
 */
import type { PadPolicy } from '../facilities/pad-policy.ts';

export const PAD_STATUSES = ['not_checked', 'live', 'attack'] as const;
export type PadStatus = (typeof PAD_STATUSES)[number];

/** What the face capability's detector said (src/face/pad.ts), as a check-in keeps it. */
export interface PadOutcome {
  status: PadStatus;
  /** Probability that the face is live, 0..1; absent when nothing was checked. */
  score?: number | undefined;
  method: string;
  model?: string | undefined;
}

/** Looks up a facility's policy at the moment of the check-in, so a change holds from the next one. */
export type PadPolicySource = (facilityId: string) => Promise<PadPolicy>;

export type PadRefusal = 'presentation_attack' | 'pad_unavailable';

export interface PadDecision {
  /** Kept with the check-in; undefined under `off`. */
  keep: PadOutcome | undefined;
  refuse: PadRefusal | undefined;
}

export function padDecision(policy: PadPolicy, outcome: PadOutcome | undefined): PadDecision {
  if (policy === 'off') return { keep: undefined, refuse: undefined };
  const keep = outcome ? cleanOutcome(outcome) : { status: 'not_checked' as const, method: 'none' };
  if (policy === 'record') return { keep, refuse: undefined };
  if (keep.status === 'attack') return { keep, refuse: 'presentation_attack' };
  if (keep.status !== 'live') return { keep, refuse: 'pad_unavailable' };
  return { keep, refuse: undefined };
}

/** Only the fields the store has room for, in their ranges: the detector is a plug-in. */
function cleanOutcome(o: PadOutcome): PadOutcome {
  const status: PadStatus = (PAD_STATUSES as readonly string[]).includes(o.status) ? o.status : 'not_checked';
  const score = typeof o.score === 'number' && Number.isFinite(o.score) ? Math.min(1, Math.max(0, o.score)) : undefined;
  return {
    status,
    ...(score !== undefined ? { score } : {}),
    method: String(o.method ?? 'none').slice(0, 64),
    ...(o.model ? { model: String(o.model).slice(0, 64) } : {}),
  };
}
