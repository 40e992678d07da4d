/**
 * One face, one person: a face that matches another enrolled person is refused
 * (`face_belongs_to_other_person`), so a guardian cannot enroll their own face as their child's and
 * then be checked in as the child, and nobody can take over someone else's face. The answer says
 * whether the face looks like a member of the same family or like someone else, never who.
 *
 * Two searches, two thresholds (docs/face.md, "Enrollment safeguards"):
 *   - the family (every other person of the same account: the account holder and the household
 *     members they manage) is compared 1:1 at the verification threshold, with each template read
 *     from the database now. This is where the attack lives, the set is a handful of persons, so
 *     the 1:1 operating point applies: no measured false non-match at 0.40, and n × FMR ≈ 0.3 %
 *     false refusals for a family of six;
 *   - every other enrolled person is searched 1:N at the kiosk's identification threshold: a face
 *     that reaches it against someone would be checked in as them wherever both are in one gallery.
 *     A lower threshold over thousands of persons would refuse real residents (FPIR ≈ N × FMR).
 */
import { FACE_REASONS } from '../messages.ts';
import type { EnrollmentCheck } from './checks.ts';

export type Resemblance = 'family_member' | 'another_person';

export interface OtherPersonOptions {
  /** The 1:1 threshold (FACE_VERIFY_THRESHOLD), for the family. */
  familyThreshold: number;
  /** The kiosk's 1:N threshold (FACE_IDENTIFY_THRESHOLD), for everyone else. */
  identifyThreshold: number;
  /** The persons of the same family as this one (the person itself may be among them). */
  familyOf(personId: string): Promise<string[]>;
}

export function otherPersonCheck(options: OtherPersonOptions): EnrollmentCheck {
  const refuse = (resembles: Resemblance) =>
    FACE_REASONS.refuse('face_belongs_to_other_person', `the face matches another enrolled person (${resembles.replace('_', ' ')})`, { resembles });
  return {
    name: 'other-person',
    async face({ personId, embedding, enrolled }) {
      const family = (await options.familyOf(personId)).filter((id) => id !== personId);
      const scores = await enrolled.scores(family, embedding);
      if (scores.some((m) => m.score >= options.familyThreshold)) throw refuse('family_member');
      // Two nearest: the person's own current template, when they enroll again, is not "someone else".
      const other = enrolled.nearest(embedding, 2).find((m) => m.personId !== personId);
      if (other && other.score >= options.identifyThreshold) throw refuse(family.includes(other.personId) ? 'family_member' : 'another_person');
    },
  };
}
