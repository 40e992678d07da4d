/** Whose face a screen is about: where its pages live and which face API resource they use. */
export interface FaceSubject {
  /** Where the screens live, e.g. /app/face. */
  base: string;
  /** The face API resource for this person. */
  apiPath: string;
}

/** The resident's own face. Family members get theirs under their own prefix (issue 6). */
export const SELF_FACE: FaceSubject = { base: '/app/face', apiPath: '/api/face/enrollment' };
