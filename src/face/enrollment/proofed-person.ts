/**
 * Only a proofed person has a face: the face is what kiosks recognise a person by, so it may only
 * belong to someone whose identity PASS verified with a My Number Card — the resident themselves,
 * or a household member their representative added with the member's card.
 */
import type { Knex } from 'knex';
import { isVerified } from '../../identity/verified-persons.ts';
import { FACE_REASONS } from '../messages.ts';
import type { EnrollmentCheck } from './checks.ts';

export function proofedPersonCheck(db: Knex): EnrollmentCheck {
  return {
    name: 'proofed-person',
    async person(personId) {
      if (!(await isVerified(db, personId))) throw FACE_REASONS.refuse('identity_required', 'only a person with a verified identity can enroll a face');
    },
  };
}
