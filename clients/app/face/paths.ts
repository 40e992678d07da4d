import type { PassApi } from '../pass-api.ts';
import { ownFaceOwner, type FaceOwner } from './owner.ts';

/** Whose face a screen is about: where its pages live, which face API resource they use, and who it is. */
export interface FaceSubject {
  /** Where the screens live, e.g. /app/face. */
  base: string;
  /** The face API resource for this person. */
  apiPath: string;
  /** The person's name and whether they are proofed, for the page to name them. */
  owner(api: PassApi, token: string): Promise<FaceOwner>;
  /** Where the person proves their identity, when that is theirs to do (the resident's own face). */
  proofingPath?: string;
  /**
   * The face API's active liveness challenge and burst enrollment, when this person can take it
   * (the resident's own face: the challenge is bound to the resident's account).
   */
  live?: { challengePath: string; enrollPath: string };
}

/** The resident's own face. Household members get theirs under /app/family/:personId/face (family/mount.ts). */
export const SELF_FACE: FaceSubject = {
  base: '/app/face',
  apiPath: '/api/face/enrollment',
  owner: ownFaceOwner,
  proofingPath: '/app/identity',
  live: { challengePath: '/api/face/liveness/challenges', enrollPath: '/api/face/enrollment/live' },
};
