// A resident with something of everything PASS keeps, for the data-rights tests: proofed with their
// card (and the card linked for check-in), a household member, registrations with consent at two
// facilities, a face (when the models are loaded), a check-in, a login at the 豊岡市 booking site
// (a grant, claim releases, back-channel logout registered), a refresh token at a plain relying party.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../../src/db/database.ts';
import { demoClients } from '../../src/demo/seed.ts';
import { FaceStore } from '../../src/face/service/template-store.ts';
import { CookieJar, authorize, exchangeCode, request } from '../helpers/browserless.ts';
import { SHARED_FACES } from '../face/platform.ts';
import { api, appToken, newAccount, PASSWORD, RP_REDIRECT, startEnv, TARO, type Env } from '../jpki/proofing-helpers.ts';
import { addMember, ICHIRO, type FamilyEnv } from '../households/family-helpers.ts';
import { provisionKiosk, staffAccount, withFacilities, type TestKiosk } from '../kiosk/helpers.ts';
import { walk } from '../oidc/rp.ts';

export { PASSWORD };

export interface Resident {
  email: string;
  accountId: string;
  personId: string;
  memberId: string;
  /** The PASS API token of the test app (pass-app-test). */
  token: string;
  /** city-rp's tokens (public client: it may introspect them). */
  rp: { accessToken: string; refreshToken: string };
  /** The booking site's browser, signed in there. */
  bookingJar: CookieJar;
  checkinId: string;
}

/** PASS with the catalog, the booking site's client, a library kiosk and (optionally) the face models. */
export async function startPrivacyEnv(mode: Parameters<typeof startEnv>[0], extra: Record<string, string> = {}): Promise<Env & { kiosk: TestKiosk }> {
  const env = await startEnv(mode, extra);
  await withFacilities(env.pass);
  await env.pass.oidc.clients.create(demoClients(env.pass.issuer).find((c) => c.clientId === 'toyooka-booking')!);
  await staffAccount(env.pass, 'librarian@kaga.example.jp', 'facility_staff', { facilityId: 'kaga-library' });
  const kiosk = await provisionKiosk(env.pass, 'librarian@kaga.example.jp');
  return Object.assign(env, { kiosk });
}

export async function residentWithEverything(env: Env & { kiosk: TestKiosk }, email: string, cardId: string): Promise<Resident> {
  const { pass } = env;
  await env.cards.issue(TARO, { id: cardId });
  await env.cards.issue({ ...ICHIRO }, { id: `${cardId}-father` });
  const accountId = await newAccount(env, email);
  await pass.platform.db('accounts').where({ id: accountId }).update({ phone_e164: `+8190${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`, phone_verified_at: new Date() });
  const token = await appToken(env, email);
  // Identity proofing over HTTP with the virtual card, both keys in one session: the card is linked for check-in too.
  const challenge = await api(env, token, 'POST', '/api/identity/jpki/challenge');
  const signed = await api(env, token, 'POST', `/api/identity/jpki/dev/cards/${cardId}/sign`, { pin: 'PASS1234', auth_pin: '1234', challenge: challenge.body.challenge });
  const verified = await api(env, token, 'POST', '/api/identity/jpki/verify', { challenge_id: challenge.body.challenge_id, ...signed.body });
  const confirmed = await api(env, token, 'POST', '/api/identity/jpki/confirm', { verification_id: verified.body.verification_id });
  if (confirmed.status !== 200 || confirmed.body.card_linked !== true) throw new Error(`proofing: ${JSON.stringify(confirmed.body)}`);
  const personId = String(confirmed.body.person_id);

  // A parent as household member, proofed with their own card.
  const member = await addMember(env as unknown as FamilyEnv, token, 'parent', { signature: `${cardId}-father` });
  if (member.status !== 201) throw new Error(`member: ${JSON.stringify(member.body)}`);
  const memberId = String(member.body.person_id);

  const face = pass.provided.face;
  if (face?.available) await face.enroll(personId, await readFile(path.join(SHARED_FACES, 'obama', '1.jpg')));
  for (const [facility, claims] of [['kaga-library', ['name', 'resident_of']], ['toyooka-booking', ['name', 'email']]] as const) {
    const registered = await api(env, token, 'POST', '/api/registrations', { facility_id: facility, person_id: personId, claims });
    if (registered.status !== 201) throw new Error(`registration: ${JSON.stringify(registered.body)}`);
  }
  const parentRegistration = await api(env, token, 'POST', '/api/registrations', { facility_id: 'kaga-library', person_id: memberId, claims: ['name', 'resident_of'] });
  if (parentRegistration.status !== 201) throw new Error(`member registration: ${JSON.stringify(parentRegistration.body)}`);

  // A QR check-in at the library.
  const qr = await api(env, token, 'POST', '/api/checkins/qr-token');
  const checkinId = randomUUID();
  const checkin = await env.kiosk.call('POST', '/api/kiosk/checkins/qr', { json: { id: checkinId, token: qr.body.token } });
  if (checkin.body.result !== 'accepted') throw new Error(`check-in: ${JSON.stringify(checkin.body)}`);

  // The booking site (a facility's relying party with back-channel logout): a grant and claim releases.
  const bookingJar = new CookieJar();
  const booking = (p: string) => `${pass.issuer}/demo/booking${p}`;
  const start = await request(bookingJar, booking('/login'));
  const { callback } = await walk(new URL(start.headers.get('location')!), booking('/callback'), { email, password: PASSWORD }, bookingJar);
  await request(bookingJar, callback.href);

  // A plain relying party with a refresh token.
  const flow = await authorize({ issuer: pass.issuer, clientId: 'city-rp', redirectUri: RP_REDIRECT, login: email, password: PASSWORD });
  const rpTokens = await exchangeCode(pass.issuer, 'city-rp', RP_REDIRECT, flow.code, flow.verifier);
  return {
    email,
    accountId,
    personId,
    memberId,
    token,
    rp: { accessToken: String(rpTokens.access_token), refreshToken: String(rpTokens.refresh_token) },
    bookingJar,
    checkinId,
  };
}

export async function selfPersonOf(db: Database, accountId: string): Promise<string> {
  return new FaceStore(db).selfPerson(accountId);
}

/**
 * Every place in the database (any table, any text, uuid or JSON column, found through
 * information_schema, so a table added later is searched too) where one of `needles` appears.
 * One query per table: for each column and needle, whether any row holds it.
 */
export async function whereFound(db: Database, needles: Record<string, string>, skipTables: ReadonlySet<string>): Promise<string[]> {
  const columns = (await db.raw(
    `select table_name, column_name from information_schema.columns
      where table_schema = current_schema() and data_type in ('uuid', 'text', 'character varying', 'character', 'jsonb', 'json')
      order by table_name, ordinal_position`,
  )) as { rows: Array<{ table_name: string; column_name: string }> };
  const byTable = new Map<string, string[]>();
  for (const { table_name: table, column_name: column } of columns.rows) {
    if (!skipTables.has(table)) byTable.set(table, [...(byTable.get(table) ?? []), column]);
  }
  const labels = Object.keys(needles);
  const found: string[] = [];
  for (const [table, cols] of byTable) {
    const checks: string[] = [];
    const bindings: string[] = [];
    for (const column of cols) {
      for (const label of labels) {
        checks.push(`coalesce(bool_or(position(? in ??::text) > 0), false)`);
        bindings.push(needles[label]!, column);
      }
    }
    const { rows } = (await db.raw(`select ${checks.map((c, i) => `${c} as c${i}`).join(', ')} from ??`, [...bindings, table])) as { rows: Array<Record<string, boolean>> };
    let i = 0;
    for (const column of cols) {
      for (const label of labels) {
        if (rows[0]?.[`c${i}`]) found.push(`${table}.${column}: ${label}`);
        i += 1;
      }
    }
  }
  return found;
}

/** RFC 7662 introspection by the client the token was issued to. */
export async function introspect(issuer: string, clientId: string, token: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${issuer}/token/introspection`, { method: 'POST', body: new URLSearchParams({ client_id: clientId, token }) });
  return (await response.json()) as Record<string, unknown>;
}
