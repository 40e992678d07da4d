/**
 * The home screen's greeting and its next step. The greeting names the resident: the name their
 * identity proofing verified (「加賀　太郎 さん」), else their e-mail address. Until setup is complete
 * the home screen shows the one next step, in order: identity proofing → the face (skipped where
 * face check-in is switched off) → a facility registration.
 */
import type { HomeSection } from './sections.ts';
import { SELF_FACE } from './face/paths.ts';

/** The setup steps in their order, by the id of their home tile, and where each is done. */
const STEPS = [
  ['proofing', '/app/identity'],
  ['face', SELF_FACE.base],
  ['facilities', '/app/facilities/'],
] as const;

export interface NextStep {
  id: (typeof STEPS)[number][0];
  /** Which of the steps it is, and how many there are (the face step may not apply). */
  number: number;
  of: number;
  href: string;
}

/** The first step not done yet, from the home tiles' statuses; undefined once all are done. */
export function nextStep(sections: readonly HomeSection[]): NextStep | undefined {
  const steps = STEPS.map(([id, href]) => ({ id, href, tile: sections.find((s) => s.id === id) }))
    // Face check-in switched off (models not installed): that step does not apply.
    .filter((step) => step.tile?.status.key !== 'face.tile.unavailable');
  const index = steps.findIndex((step) => step.tile && !step.tile.status.active);
  if (index < 0) return undefined;
  const step = steps[index]!;
  return { id: step.id, number: index + 1, of: steps.length, href: step.href };
}

/** Whom the home screen greets: the verified name, else the e-mail address. */
export function greetingName(verifiedName: string | undefined, email: string | undefined): { name: string; verified: boolean } | undefined {
  if (verifiedName) return { name: verifiedName, verified: true };
  return email ? { name: email, verified: false } : undefined;
}
