// Deleting an account (docs/data-rights.md): refused without the password, the confirmation, or a
// decision about household members — and then nothing changes. When it goes through: no row of any
// table (listed from information_schema, so a later table is searched too) names the account, its
// persons, its e-mail or phone number, except the append-only audit log, whose chain still verifies;
// its check-in stays, anonymous; tokens issued before introspect as inactive; the API refuses them;
// sign-in fails; the booking site hears of it by back-channel logout; Redis holds nothing of it; and
// with two nodes, neither node's face gallery matches the face any more.
import '../face/realm.ts';
import type { Redis } from 'ioredis';
import { storageModes } from '../helpers/services.ts';
import { startPass } from '../helpers/pass.ts';
import { authorize, request } from '../helpers/browserless.ts';
import { faceEnv, photo, until } from '../face/platform.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { api, RP_REDIRECT, stopEnv, type Env, type Pass } from '../jpki/proofing-helpers.ts';
import type { TestKiosk } from '../kiosk/helpers.ts';
import { introspect, PASSWORD, residentWithEverything, startPrivacyEnv, whereFound, type Resident } from './fixtures.ts';

const modes = [...new Set([storageModes()[0]!, storageModes().at(-1)!])];
/** The demo relying party's own database (a real one lives elsewhere): PASS reaches it by back-channel logout, checked below. */
const NOT_PASS = new Set(['booking_users', 'booking_sessions', 'booking_reservations']);
const GALLERY = 'facility:kaga-library';

/** Keys of PASS in Redis whose name or value holds one of the needles (shared Redis: other tests' keys are read too). */
async function redisNaming(redis: Redis, needles: string[]): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'pass:*', 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    const types = ((await redis.pipeline(keys.map((k) => ['type', k])).exec()) ?? []).map(([, t]) => String(t));
    const reads = keys.map((k, i) => (types[i] === 'hash' ? ['hgetall', k] : types[i] === 'string' ? ['get', k] : types[i] === 'list' ? ['lrange', k, '0', '-1'] : ['exists', k]));
    const values = ((await redis.pipeline(reads).exec()) ?? []).map(([, v]) => JSON.stringify(v ?? ''));
    keys.forEach((key, i) => {
      if (needles.some((n) => key.includes(n) || values[i]!.includes(n))) found.push(key);
    });
  } while (cursor !== '0');
  return found;
}

describe.each(modes)('account deletion (%s)', (mode) => {
  const withRedis = mode === 'postgres+redis';
  let env: Env & { kiosk: TestKiosk };
  let other: Pass | undefined;
  let taro: Resident;
  let needles: Record<string, string>;

  beforeAll(async () => {
    // Two nodes with the face models where they can share the database; the embedded database is one process.
    env = await startPrivacyEnv(mode, withRedis ? faceEnv({}) : {});
    if (withRedis) other = await startPass({ ...faceEnv(env.storage.env), ISSUER: env.pass.issuer });
    taro = await residentWithEverything(env, `taro.${mode.replace(/\W/g, '')}@example.jp`, `delete-${mode.replace(/\W/g, '')}`);
    const phone = ((await env.pass.platform.db('accounts').where({ id: taro.accountId }).first('phone_e164')) as { phone_e164: string }).phone_e164;
    needles = { account: taro.accountId, person: taro.personId, member: taro.memberId, email: taro.email, phone };
  }, 150_000);

  afterAll(async () => {
    await other?.close();
    await stopEnv(env);
  });

  const deletion = (body: unknown) => api(env, taro.token, 'POST', '/api/privacy/deletion', body);

  test('refused without the password, the confirmation or a decision about the household member; nothing changes', async () => {
    const preview = await api(env, taro.token, 'GET', '/api/privacy/deletion');
    expect(preview.body).toMatchObject({
      members: 1,
      blocked_by: 'household_has_members',
      active_registrations: 3,
      checkins: 1,
      relying_parties: expect.arrayContaining([{ client_id: 'toyooka-booking', name: expect.any(String), backchannel_logout: true }]),
    });
    const before = await whereFound(env.pass.platform.db, needles, new Set());
    expect(await deletion({ password: 'not the password', confirm: true, members: 'delete' })).toMatchObject({ status: 400, body: { reason: 'password_wrong', message: { ja: 'パスワードが正しくありません。' } } });
    expect(await deletion({ password: PASSWORD })).toMatchObject({ status: 400, body: { reason: 'confirmation_required' } });
    expect(await deletion({ password: PASSWORD, confirm: true })).toMatchObject({ status: 409, body: { reason: 'household_has_members', members: 1, message: { ja: expect.stringContaining('家族') } } });
    // The wrong password counted as a failed sign-in; nothing else moved.
    await env.pass.platform.db('login_failures').where({ account_id: taro.accountId }).delete();
    expect(await whereFound(env.pass.platform.db, needles, new Set())).toEqual(before);
  });

  test('deleted: no row names the account or its persons but the audit log; tokens, sign-in, gallery and relying party follow', async () => {
    const { db } = env.pass.platform;
    const booking = await request(taro.bookingJar, `${env.pass.issuer}/demo/booking/`);
    expect(await booking.text()).toContain('id="reservations-heading"');
    // The scanner does find the account where it lives (so an empty answer later means something).
    const before = await whereFound(db, needles, NOT_PASS);
    for (const place of ['accounts.id: account', 'persons.id: person', 'persons.id: member', 'checkins.person_id: person', 'card_links.person_id: person', 'registrations.person_id: member', 'claim_releases.person_id: person', 'oidc_payloads.payload: account', 'audit_log.person_id: member']) {
      expect(before).toContain(place);
    }
    if (withRedis) {
      for (const node of [env.pass, other!]) {
        await until(() => node.provided.face!.galleryHas(GALLERY, taro.personId), 10_000);
        expect((await node.provided.face!.identify(GALLERY, await photo('obama', 2))).best?.personId).toBe(taro.personId);
      }
    }

    const started = performance.now();
    const answer = await deletion({ password: PASSWORD, confirm: true, members: 'delete' });
    console.info(`account deletion (${mode}): ${(performance.now() - started).toFixed(0)} ms for 2 persons, ${answer.body.grants_revoked} grants`);
    expect(answer).toMatchObject({
      status: 200,
      body: { deleted: true, persons_deleted: 2, members_deleted: 1, checkins_anonymised: 1, relying_parties_notified: { 'toyooka-booking': 'sent' } },
    });
    expect(answer.body.grants_revoked).toBeGreaterThanOrEqual(3);

    // Only the audit log still holds the ids; no e-mail or phone number anywhere.
    const left = await whereFound(db, needles, NOT_PASS);
    expect(left.filter((place) => !place.startsWith('audit_log.'))).toEqual([]);
    expect(left.filter((place) => /: (email|phone)$/.test(place))).toEqual([]);
    const audit = await db('audit_log').where({ action: 'privacy.account_deleted' }).first();
    expect(audit).toMatchObject({ actor_account_id: taro.accountId, person_id: taro.personId });
    expect(JSON.stringify(audit.details)).not.toContain('加賀');
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });

    // The check-in stays for the library's statistics, with nobody in it.
    expect(await db('checkins').where({ id: taro.checkinId }).first()).toMatchObject({ facility_id: 'kaga-library', method: 'qr', result: 'accepted', person_id: null, card_key: null, shown: null, details_sealed: null });

    // Tokens issued before: inactive at introspection, refused by PASS's API.
    expect(await introspect(env.pass.issuer, 'city-rp', taro.rp.accessToken)).toEqual({ active: false });
    expect(await introspect(env.pass.issuer, 'city-rp', taro.rp.refreshToken)).toEqual({ active: false });
    expect(await introspect(env.pass.issuer, 'pass-app-test', taro.token)).toEqual({ active: false });
    expect((await api(env, taro.token, 'GET', '/api/privacy/export')).status).toBe(401);
    const refresh = await fetch(`${env.pass.issuer}/token`, { method: 'POST', body: new URLSearchParams({ client_id: 'city-rp', grant_type: 'refresh_token', refresh_token: taro.rp.refreshToken }) });
    expect(refresh.status).toBe(400);

    // Sign-in fails.
    expect(await env.pass.platform.accounts.authenticate(taro.email, PASSWORD)).toBeUndefined();
    await expect(authorize({ issuer: env.pass.issuer, clientId: 'city-rp', redirectUri: RP_REDIRECT, login: taro.email, password: PASSWORD })).rejects.toThrow();

    // The booking site was told: its session of the resident is gone.
    expect(await (await request(taro.bookingJar, `${env.pass.issuer}/demo/booking/`)).text()).toContain('href="/demo/booking/login"');

    if (withRedis) {
      expect(await redisNaming(env.pass.platform.redis!, [taro.accountId, taro.personId, taro.memberId])).toEqual([]);
      // Both nodes' galleries: this node at once, the other through the event bus.
      for (const node of [env.pass, other!]) {
        await until(() => !node.provided.face!.galleryHas(GALLERY, taro.personId), 10_000);
        const result = await node.provided.face!.identify(GALLERY, await photo('obama', 2));
        expect(result.matched && result.best?.personId === taro.personId).toBe(false);
      }
    }

    // The address is free again: a new sign-up with it is a new account.
    const fresh = await env.pass.platform.accounts.create({ email: taro.email, password: PASSWORD, verified: true });
    expect(fresh.id).not.toBe(taro.accountId);
  });
});
