// Residents for check-in tests: the demo resident proofed as 加賀　太郎 (the JPKI demo seed), registered
// at a facility with the consent units given, and a PASS API token for the PASS app's side.
import { randomUUID } from 'node:crypto';
import { seedJpkiDemo } from '../../src/identity/proofing/seed.ts';
import { FaceStore } from '../../src/face/service/template-store.ts';
import { facilityGallery } from '../../src/checkins/registration-lookup.ts';
import { apiToken, PASSWORD, type Pass, type TestKiosk } from './helpers.ts';
import { ApduChannel, readAuthenticationProof } from '../../src/card/index.ts';
import type { SimulatedCard } from '../../src/card/simulator/index.ts';
import { simulatedDemoCard } from '../../src/kiosk/dev-card-bridge.ts';

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

/** Each PASS's demo cards as simulated cards, made once, so their PIN counters persist like a chip's. */
const demoCards = new WeakMap<Pass, Map<string, SimulatedCard>>();

/** A demo resident's development card (src/identity/proofing/dev-cards.ts) at the APDU level, the card the kiosk's reader would hold. */
export async function demoCard(pass: Pass, cardId: string): Promise<SimulatedCard> {
  const dev = pass.provided.proofing?.pki.dev;
  if (!dev) throw new Error('no development card store');
  const cards = demoCards.get(pass) ?? new Map<string, SimulatedCard>();
  demoCards.set(pass, cards);
  if (!cards.has(cardId)) cards.set(cardId, await simulatedDemoCard(dev, cardId));
  return cards.get(cardId)!;
}

/**
 * What the kiosk page does with a card for a challenge (base64, as PASS issues it): the real APDU
 * sequence through the card library, straight into the simulated card (the PC/SC path is
 * test/kiosk/card-checkin-browser.test.ts's). Answers like a reader would: the proof, or the card's refusal.
 */
export async function readDemoCard(pass: Pass, cardId: string, challenge: string, pin = '1234'): Promise<{ status: number; body: Record<string, any> }> {
  const card = await demoCard(pass, cardId);
  card.insert(); // a fresh session, as a card put on the reader
  try {
    const proof = await readAuthenticationProof(new ApduChannel(card, { timeoutMs: 5000 }), { pin, challenge: new Uint8Array(Buffer.from(challenge, 'base64')) });
    return { status: 200, body: { certificate: Buffer.from(proof.certificate).toString('base64'), signature: Buffer.from(proof.signature).toString('base64') } };
  } catch (error) {
    const { reason, status, details } = error as { reason: string; status: number; details?: Record<string, unknown> };
    return { status, body: { reason, ...details } };
  }
}

/** A card-only check-in at the kiosk with a demo card (user-authentication PIN 1234), and the row it stored. */
export async function cardCheckin(pass: Pass, kiosk: TestKiosk, cardId: string): Promise<{ answer: { status: number; body: Record<string, any> }; row: Record<string, any> }> {
  const challenge = await kiosk.call('POST', '/api/kiosk/card/challenges');
  const signed = await readDemoCard(pass, cardId, challenge.body.challenge);
  const id = randomUUID();
  const answer = await kiosk.call('POST', '/api/kiosk/checkins/card', { json: { id, challengeId: challenge.body.challengeId, ...signed.body } });
  return { answer, row: await pass.platform.db('checkins').where({ id }).first() };
}
