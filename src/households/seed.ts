/**
 * Demo data of households and registrations (development only): a virtual text-input-support AP
 * card for the demo child 加賀　そら (so the family screens can add her, PIN 1234), and the demo
 * resident 加賀　太郎 registered for 豊岡市's booking system with its required claims, so the demo
 * relying party receives his name and e-mail at the first login. Idempotent.
 */
import { randomUUID } from 'node:crypto';
import type { Platform } from '../platform.ts';
import { selfPersonOf } from '../identity/persons.ts';
import { isVerified } from '../identity/verified-persons.ts';
import { hasRegistration, insertRegistration } from '../registrations/registration-store.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { DevTextApCards } from './text-ap/dev-card.ts';

export const DEMO_CHILD_TEXT_CARD = { id: 'kaga-sora-text', facts: { name: '加賀　そら', birthdate: '2019-05-01', sex: '3' as const, address: '石川県加賀市作見町ル２５番地１' } };
const DEMO_REGISTRATION = { email: 'resident@pass.localhost', facilityId: 'toyooka-booking' };

export async function seedFamilyDemo(platform: Platform): Promise<{ cardsCreated: string[]; registered: string[] }> {
  const { config, db, box } = platform;
  const cardsCreated: string[] = [];
  const registered: string[] = [];
  if (config.production || config.jpki.trustAnchors?.length) return { cardsCreated, registered };
  const cards = new DevTextApCards(db, box);
  if (!(await cards.exists(DEMO_CHILD_TEXT_CARD.id))) {
    await cards.issue(DEMO_CHILD_TEXT_CARD.facts, { id: DEMO_CHILD_TEXT_CARD.id, label: `${DEMO_CHILD_TEXT_CARD.facts.name}（券面事項入力補助AP）` });
    cardsCreated.push(DEMO_CHILD_TEXT_CARD.id);
  }
  const account = await platform.accounts.findByEmail(DEMO_REGISTRATION.email);
  const personId = account ? await selfPersonOf(db, account.id) : undefined;
  const policy = await platform.facilities.policies.find(DEMO_REGISTRATION.facilityId);
  const proofed = personId ? await isVerified(db, personId) : false;
  if (account && personId && policy && proofed && !(await hasRegistration(db, personId, DEMO_REGISTRATION.facilityId))) {
    const id = randomUUID();
    await db.transaction(async (trx) => {
      await insertRegistration(trx, { id, personId, facilityId: DEMO_REGISTRATION.facilityId, claims: policy.required, actorAccountId: account.id });
      await appendAudit(trx, { actorAccountId: account.id, action: 'registration.created', personId, facilityId: DEMO_REGISTRATION.facilityId, registrationId: id, details: { claims: policy.required, seeded: true } });
    });
    registered.push(`${DEMO_REGISTRATION.email} → ${DEMO_REGISTRATION.facilityId}`);
  }
  return { cardsCreated, registered };
}
