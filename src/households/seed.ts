/**
 * Demo data of households and registrations (development only): a virtual text-input-support AP
 * card for the demo child 加賀　そら (so the family screens can add her, PIN 1234), and the demo
 * resident 加賀　太郎 registered for 豊岡市's booking system with its required claims, so the demo
 * relying party receives his name and e-mail at the first login. Idempotent.
 */
import { randomUUID } from 'node:crypto';
import type { Platform } from '../platform.ts';
import { audit } from './audit.ts';
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
  const account = (await db('accounts').where({ email: DEMO_REGISTRATION.email }).first('id')) as { id: string } | undefined;
  const person = account ? ((await db('persons').where({ account_id: account.id, relation: 'self' }).first('id')) as { id: string } | undefined) : undefined;
  const policy = await platform.facilities.policies.find(DEMO_REGISTRATION.facilityId);
  const proofed = person ? await db('person_identities').where({ person_id: person.id }).first('person_id') : undefined;
  if (account && person && policy && proofed && !(await db('registrations').where({ person_id: person.id, facility_id: DEMO_REGISTRATION.facilityId }).first('id'))) {
    const id = randomUUID();
    await db.transaction(async (trx) => {
      await trx('registrations').insert({ id, person_id: person.id, facility_id: DEMO_REGISTRATION.facilityId, status: 'active', claims: JSON.stringify(policy.required), registered_by_account_id: account.id });
      await trx('registration_events').insert({ registration_id: id, event: 'registered', claims: JSON.stringify(policy.required), actor_account_id: account.id });
      await audit(trx, { actorAccountId: account.id, action: 'registration.created', personId: person.id, facilityId: DEMO_REGISTRATION.facilityId, registrationId: id, details: { claims: policy.required, seeded: true } });
    });
    registered.push(`${DEMO_REGISTRATION.email} → ${DEMO_REGISTRATION.facilityId}`);
  }
  return { cardsCreated, registered };
}
