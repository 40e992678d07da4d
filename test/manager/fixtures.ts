// People and check-ins for the PASS Manager tests, made through PASS's own services and APIs: a
// household (加賀　太郎, proofed with his signature card, with a verified phone; his child 加賀　そら
// added with the text-input-support AP), registrations with consent, and check-ins recorded by the
// check-in service (accepted by device code, refused QR codes).
import { randomUUID } from 'node:crypto';
import { FactsReader } from '../../src/claims/facts.ts';
import type { CheckinView } from '../../src/checkins/checkin-service.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import { addMember, api, SORA, TARO, type FamilyEnv } from '../households/family-helpers.ts';
import { APP_REDIRECT, appToken, proveAndConfirm, PASSWORD as RESIDENT_PASSWORD } from '../jpki/proofing-helpers.ts';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import type { StorageMode } from '../helpers/services.ts';
import { runtime } from '../kiosk/helpers.ts';
import { staffWorld, type STAFF } from './helpers.ts';

export interface Resident {
  accountId: string;
  personId: string;
  token: string;
}

export interface ManagerWorld {
  env: FamilyEnv;
  staff: Record<keyof typeof STAFF, string>;
  taro: Resident;
  soraId: string;
}

export const TARO_EMAIL = 'taro@example.jp';
export const TARO_PHONE = '+819011112222';

/** Residents of another city than the Kaga facilities'. */
export const JIRO = { ...TARO, name: '福井　次郎', birthdate: '1990-10-10', address: '福井県坂井市丸岡町霞町１丁目１', prefecture: 'Fukui-ken', municipality: 'Sakai-shi' };
export const HANA = { ...TARO, name: '坂井　花', birthdate: '1995-04-04', sex: '2' as const, address: '福井県坂井市三国町北本町２丁目', prefecture: 'Fukui-ken', municipality: 'Sakai-shi' };
/** A name that Excel would run as a formula if a CSV did not defuse it. */
export const TRICK = { ...TARO, name: '=HYPERLINK("http://evil.example")', birthdate: '1970-01-01' };

/** A resident account with a verified phone, proofed with a new signature card of `facts`. */
export async function proofed(env: FamilyEnv, email: string, facts: typeof TARO, cardId: string, phone?: string): Promise<Resident> {
  await env.cards.issue(facts, { id: cardId });
  const account = await env.pass.platform.accounts.create({ email, password: RESIDENT_PASSWORD, verified: true, ...(phone ? { phone } : {}) });
  const token = await appToken(env, email);
  const confirmed = await proveAndConfirm(env, token, cardId);
  if (confirmed.status !== 200) throw new Error(`proofing failed: ${JSON.stringify(confirmed.body)}`);
  const personId = await new FactsReader(env.pass.platform.db, env.pass.platform.box).selfPersonId(account.id);
  return { accountId: account.id, personId: personId!, token };
}

/** The household tests' environment on a running PASS (one node, or the node the app talks to). */
export async function familyEnvOn(pass: FamilyEnv['pass'], storage: TestStorage): Promise<FamilyEnv> {
  await pass.platform.facilities.importCatalog(readCatalog());
  if (!(await pass.oidc.clients.find('pass-app-test'))) await pass.oidc.clients.create({ clientId: 'pass-app-test', name: 'PASS app (test)', redirectUris: [APP_REDIRECT], tokenEndpointAuthMethod: 'none' });
  const cards = pass.provided.proofing?.pki.dev;
  const text = pass.provided.households?.devTextCards;
  if (!cards || !text) throw new Error('the development cards are not available');
  return { storage, pass, cards, text };
}

export async function managerWorld(mode: StorageMode): Promise<ManagerWorld> {
  const storage = await createStorage(mode);
  return managerWorldOn(await familyEnvOn(await startPass(storage.env), storage));
}

/** Staff, 加賀　太郎 and his child 加賀　そら on a running PASS. */
export async function managerWorldOn(env: FamilyEnv): Promise<ManagerWorld> {
  const staff = await staffWorld(env.pass);
  const taro = await proofed(env, TARO_EMAIL, TARO, 'mgr-taro', '09011112222');
  await env.text.issue(SORA, { id: 'mgr-sora' });
  const added = await addMember(env, taro.token, 'child', { text: 'mgr-sora' });
  if (added.status !== 201) throw new Error(`child not added: ${JSON.stringify(added.body)}`);
  return { env, staff, taro, soraId: added.body.person_id as string };
}

/** Registers a person at a facility through the PASS API, consenting to `claims`. */
export async function register(env: FamilyEnv, token: string, facilityId: string, personId: string, claims: string[]): Promise<string> {
  const registered = await api(env, token, 'POST', '/api/registrations', { facility_id: facilityId, person_id: personId, claims });
  if (registered.status !== 201) throw new Error(`registration failed: ${JSON.stringify(registered.body)}`);
  return registered.body.id as string;
}

async function requestFor(env: FamilyEnv, facilityId: string, options: { occurredAt?: Date; kioskId?: string; direction?: 'in' | 'out' }) {
  const facility = await runtime(env.pass).staff.facility(facilityId);
  if (!facility) throw new Error(`no facility ${facilityId}`);
  return { id: randomUUID(), facility, kioskId: options.kioskId, direction: options.direction ?? ('in' as const), occurredAt: options.occurredAt };
}

/** An accepted check-in of a registered person (the device-code path of the check-in service). */
export async function checkIn(env: FamilyEnv, facilityId: string, personId: string, options: { occurredAt?: Date; direction?: 'in' | 'out' } = {}): Promise<CheckinView> {
  const view = await runtime(env.pass).checkins.deviceCode(await requestFor(env, facilityId, options), personId);
  if (view.result !== 'accepted') throw new Error(`check-in refused: ${view.reason}`);
  return view;
}

/** A refused check-in: a QR code that is not PASS's. */
export async function refusedCheckIn(env: FamilyEnv, facilityId: string, options: { occurredAt?: Date; kioskId?: string } = {}): Promise<CheckinView> {
  return runtime(env.pass).checkins.qr(await requestFor(env, facilityId, options), 'not-a-pass-qr-code');
}

export async function auditActions(env: FamilyEnv, action: string): Promise<Array<Record<string, any>>> {
  const rows = (await env.pass.platform.db('audit_log').where({ action }).orderBy('id')) as Array<Record<string, any>>;
  return rows.map((r) => ({ ...r, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details }));
}
