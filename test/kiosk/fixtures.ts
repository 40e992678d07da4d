// Residents for check-in tests: the demo resident proofed as 加賀　太郎 (the JPKI demo seed), registered
// at a facility with the consent units given, and a PASS API token for the PASS app's side.
import { randomUUID } from 'node:crypto';
import { seedJpkiDemo } from '../../src/identity/proofing/seed.ts';
import { FaceStore } from '../../src/face/service/template-store.ts';
import { facilityGallery } from '../../src/checkins/registration-lookup.ts';
import { apiToken, PASSWORD, type Pass, type TestKiosk } from './helpers.ts';

/** resident@pass.localhost, proofed with the demo card kaga-taro (加賀　太郎, 石川県加賀市…). */
export async function proofedResident(pass: Pass): Promise<{ accountId: string; personId: string }> {
  const account = await pass.platform.accounts.create({ email: 'resident@pass.localhost', password: PASSWORD, verified: true });
  const report = await seedJpkiDemo(pass.platform);
  if (!report.proofed.length) throw new Error(`resident not proofed: ${JSON.stringify(report)}`);
  // The seed revoked a demo card through its own PKI: the running one reloads its CRL now, not in 30 s.
  await pass.provided.proofing!.pki.crl.refresh();
  return { accountId: account.id, personId: await new FaceStore(pass.platform.db).selfPerson(account.id) };
}

export async function plainResident(pass: Pass, email: string): Promise<{ accountId: string; personId: string }> {
  const account = await pass.platform.accounts.create({ email, password: PASSWORD, verified: true });
  return { accountId: account.id, personId: await new FaceStore(pass.platform.db).selfPerson(account.id) };
}

/** An active registration with consent (issue #6's table), and the facility gallery membership that goes with it. */
export async function register(pass: Pass, personId: string, facilityId: string, units: string[]): Promise<void> {
  const { db } = pass.platform;
  if (await db.schema.hasTable('registrations')) {
    await db('registrations').insert({ id: randomUUID(), person_id: personId, facility_id: facilityId, status: 'active', claims: JSON.stringify(units) });
  }
  await db('face_gallery_members').insert({ gallery_id: facilityGallery(facilityId), person_id: personId }).onConflict(['gallery_id', 'person_id']).ignore();
}

export async function residentApiToken(pass: Pass, email: string): Promise<string> {
  return apiToken(pass, email);
}

/** Failure events on the bus, as PASS Manager would stream them. */
export async function failureEvents(pass: Pass): Promise<Array<Record<string, string>>> {
  const events: Array<Record<string, string>> = [];
  await pass.platform.bus.subscribe('checkin-failures', (message) => events.push(JSON.parse(message) as Record<string, string>));
  return events;
}

/** A card-only check-in at the kiosk with a virtual card (user-authentication PIN 1234), and the row it stored. */
export async function cardCheckin(pass: Pass, kiosk: TestKiosk, cardId: string): Promise<{ answer: { status: number; body: Record<string, any> }; row: Record<string, any> }> {
  const challenge = await kiosk.call('POST', '/api/kiosk/card/challenges');
  const signed = await kiosk.call('POST', `/api/kiosk/dev/cards/${cardId}/authenticate`, { json: { pin: '1234', challenge: challenge.body.challenge } });
  const id = randomUUID();
  const answer = await kiosk.call('POST', '/api/kiosk/checkins/card', { json: { id, challengeId: challenge.body.challengeId, ...signed.body } });
  return { answer, row: await pass.platform.db('checkins').where({ id }).first() };
}
