// Residents for check-in tests: the demo resident proofed as 加賀　太郎 (the JPKI demo seed), registered
// at a facility with the consent units given, and a PASS API token for the PASS app's side.
import { randomUUID } from 'node:crypto';
import { seedJpkiDemo } from '../../src/identity/proofing/seed.ts';
import { FaceStore } from '../../src/face/service/template-store.ts';
import { facilityGallery } from '../../src/checkins/registration-lookup.ts';
import { apiToken, PASSWORD, type Pass } from './helpers.ts';

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
