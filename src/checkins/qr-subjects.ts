/**
 * Whose check-in QR code an account may have drawn: its own person, or a member of the household it
 * represents (a guardian carries a child who has no phone). The code names its person, so drawing
 * it is acting as that person at every kiosk of their registrations: anyone else is refused
 * `qr_not_managed`, before a code exists.
 */
import type { Database } from '../db/database.ts';
import { canActFor } from '../households/directory.ts';
import { ensureSelfPerson } from '../identity/persons.ts';
import { CHECKIN_REASONS } from './messages.ts';

/** The person a code is drawn for: `personId` when the account may act for them, the account's own person when none is asked. */
export async function qrSubject(db: Database, accountId: string, personId?: string): Promise<string> {
  if (personId === undefined) return ensureSelfPerson(db, accountId);
  if (!(await canActFor(db, accountId, personId))) throw CHECKIN_REASONS.refuse('qr_not_managed', 'the person is neither the account holder nor a member of the household it represents');
  return personId;
}
