/**
 * What a face must pass before it is stored as a person's template. FaceService.enroll runs the
 * configured checks in order; the first refusal ends the enrollment and nothing is stored.
 *
 *   proofed-person  only a person with a verified identity (the resident, or a household member
 *                   proofed with their card) has a face at all;
 *   other-person    the face is nobody else's: 1:1 against the family, 1:N against every other
 *                   enrolled person, as a kiosk would search them;
 *   card photo      (with the 券面事項入力補助AP's photo, a later issue) the live photo compared 1:1
 *                   with the photo on the person's card: one more `face` check in the list.
 *
 * A check refuses by throwing a reason from the face catalogue (messages.ts). `person` checks run
 * before the photo is analysed (they need no inference); `face` checks after, on the new template.
 */
import type { Match } from '../match/gallery.ts';

/** The persons already enrolled, as a check may compare a new template with them. */
export interface EnrolledFaces {
  /** 1:N: the `topK` closest enrolled persons held on this node (every enrolled person, exact scores). */
  nearest(embedding: Float32Array, topK: number): Match[];
  /** 1:1 with each of these persons' stored templates, read from the database now; persons without one are left out. */
  scores(personIds: readonly string[], embedding: Float32Array): Promise<Match[]>;
}

/** A new face, analysed and not yet stored. */
export interface EnrollmentProbe {
  personId: string;
  /** The new template (unit length). A check reads it and keeps no copy: it is wiped after the checks. */
  embedding: Float32Array;
  /** The photo as uploaded, for a check that compares photos (the card photo). */
  photo: Uint8Array;
  enrolled: EnrolledFaces;
}

export interface EnrollmentCheck {
  /** Named in the audit entry of a refusal. */
  readonly name: string;
  /** Rules about the person alone; refuses before any inference is spent. */
  person?(personId: string): Promise<void>;
  /** Rules about the face in the photo. */
  face?(probe: EnrollmentProbe): Promise<void>;
}
