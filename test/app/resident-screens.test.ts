// The PASS app's own screens of issue 18 against a stand-in for PASS's API (the app's side of the
// contract, no browser and no database): the account screens (a new e-mail address with the code
// sent to it, the password; CSRF on every form; the app session's user follows the change), the
// history screen (pages of each list kept apart, cursors checked before they reach PASS), the
// home screen's next step, and every page's tab title (never a raw message key).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { csrfOf } from '../helpers/browserless.ts';
import { REPO_ROOT } from '../helpers/pass.ts';
import { JAPANESE, memorySessions, passStandIn, residentBrowser, startApp, type AppUnderTest } from './app-harness.ts';
import { APP_MESSAGES } from '../../clients/app/messages.ts';
import { CARD_LINK_MESSAGES } from '../../clients/app/card-link-messages.ts';
import { ACCOUNT_APP_MESSAGES } from '../../clients/app/account/messages.ts';
import { accountAppRoutes } from '../../clients/app/account/routes.ts';
import { HISTORY_APP_MESSAGES } from '../../clients/app/history/messages.ts';
import { historyAppRoutes } from '../../clients/app/history/routes.ts';
import { FAMILY_APP_MESSAGES } from '../../clients/app/family/messages.ts';
import { nextStep } from '../../clients/app/next-step.ts';
import type { HomeSection } from '../../clients/app/sections.ts';

const TOKEN = 'resident-access-token';
const CHECKIN_CURSOR = `${Date.parse('2025-04-01T00:00:00Z')}.11111111-1111-4111-8111-111111111111`;

/** PASS's /api/account and /api/privacy/history as their contracts give them, in memory. */
function fakePass() {
  const state = { email: 'hanako@example.jp', phone: '+819011112222', password: 'old password phrase' };
  const { server, calls } = passStandIn(TOKEN, ({ method, body }, send, url) => {
    const key = `${method} ${url.pathname}`;
    if (key === 'GET /api/account') return send(200, { email: state.email, phone_number: state.phone, phone_display: '090-1111-2222', phone_masked: '090-****-2222', phone_verified: true });
    if (key === 'POST /api/account/email') {
      if (body.email === 'taken@example.jp') return send(409, { error: 'conflict', reason: 'email_taken', message: { ja: '使われています。', en: 'Used by another account.' } });
      return send(202, { sent_to: 'ne***@example.jp' });
    }
    if (key === 'POST /api/account/email/confirm') {
      if (body.code !== '123456') return send(400, { error: 'invalid_input', reason: 'code_wrong', message: { ja: 'コードが違います。', en: 'Wrong code.' } });
      state.email = body.email;
      return send(200, { email: body.email, notice_sent: true });
    }
    if (key === 'POST /api/account/password') {
      if (body.current_password !== state.password) return send(400, { error: 'invalid_input', reason: 'current_password_wrong', message: { ja: '現在のパスワードが正しくありません。', en: 'The current password is not correct.' } });
      state.password = body.new_password;
      return send(200, { remembered_devices_revoked: 1, notice_sent: true });
    }
    if (key === 'GET /api/households/me') return send(200, { household_id: null, members: [] });
    if (key === 'GET /api/privacy/history/checkins') {
      const at = '2025-04-02T01:02:00Z';
      return send(200, {
        checkins: [{ id: 'c1', person_id: 'p1', relation: 'self', facility_id: 'kaga-library', facility_name: { ja: '加賀市立図書館', en: 'Kaga City Library' }, method: 'face', result: 'accepted', reason: null, direction: 'in', at }],
        next: url.searchParams.get('before') ? null : CHECKIN_CURSOR,
      });
    }
    if (key === 'GET /api/privacy/history/releases') {
      return send(200, {
        releases: [{ person_id: 'p1', relation: 'self', client_id: 'rp', client_name: '予約システム', facility_id: null, facility_name: null, use: 'id_token', claims: ['email'], facts: [{ unit: 'email', label: { ja: 'メールアドレス', en: 'E-mail address' } }], at: '2025-04-02T01:00:00Z' }],
        next: '41',
      });
    }
    return send(404, { error: 'not_found' });
  });
  return { server, calls, state };
}

describe("the PASS app's account and history screens", () => {
  const pass = fakePass();
  const sessions = memorySessions();
  let app: AppUnderTest | undefined;
  const COOKIE = 'resident-screens-cookie';

  beforeAll(async () => {
    app = await startApp(pass.server, sessions, (kit) => [accountAppRoutes(kit).routes(), historyAppRoutes(kit).routes()]);
  });

  afterAll(() => app?.close());

  beforeEach(() => {
    sessions.rows.set(COOKIE, { user: { sub: 'acc-1', email: pass.state.email }, tokens: { accessToken: TOKEN, idToken: 'id', expiresAt: Date.now() + 3_600_000 } });
  });

  const { get, form } = residentBrowser(() => app!.base, COOKIE);

  test('a new e-mail address: the code sent to it, then the session follows', async () => {
    const overview = await (await get('/app/account')).text();
    expect(overview).toContain('<title>メールアドレス・電話番号・パスワード | PASS</title>');
    expect(overview).toContain('hanako@example.jp');
    expect(overview).toContain('090-1111-2222');
    const csrf = csrfOf(await (await get('/app/account/email')).text());

    // Without the form's token nothing reaches PASS.
    const calls = pass.calls.length;
    expect((await form('/app/account/email', { email: 'new@example.jp' })).status).toBe(403);
    expect(pass.calls.length).toBe(calls + 1); // the page's GET /api/account only
    expect(pass.calls.at(-1)!.path).toBe('/api/account');

    const taken = await form('/app/account/email', { csrf, email: 'taken@example.jp' });
    expect(taken.status).toBe(409);
    expect(await taken.text()).toContain('使われています。');

    const started = await form('/app/account/email', { csrf, email: ' new@example.jp ' });
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toBe('/app/account/email/code');
    expect(pass.calls.at(-1)).toMatchObject({ method: 'POST', path: '/api/account/email', body: { email: 'new@example.jp', lang: 'ja' } });
    const codePage = await (await get('/app/account/email/code')).text();
    expect(codePage).toContain('<title>確認コードの入力 | PASS</title>');
    expect(codePage).toContain('ne***@example.jp に6桁の確認コードを送りました。');

    const wrong = await form('/app/account/email/code', { csrf, code: '654321' }, { 'accept-language': 'en' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('Wrong code.');
    expect((await form('/app/account/email/code', { csrf, code: '12' })).status).toBe(400);

    // Full-width digits and a space, as a Japanese keyboard may type them.
    const confirmed = await form('/app/account/email/code', { csrf, code: '１２３ ４５６' });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toBe('/app/account?done=email');
    expect(pass.calls.at(-1)).toMatchObject({ path: '/api/account/email/confirm', body: { email: 'new@example.jp', code: '123456', lang: 'ja' } });
    const session = sessions.rows.get(COOKIE)!;
    expect(session.user?.email).toBe('new@example.jp');
    expect(session.account).toEqual({});
    expect(await (await get('/app/account?done=email')).text()).toContain('メールアドレスを変更しました。以前のアドレスにお知らせを送りました。');
    // The pending change is gone: the code page sends the resident back to the start.
    expect((await get('/app/account/email/code')).headers.get('location')).toBe('/app/account/email');
  });

  test('the password: both fields, the current one checked by PASS, in the page language', async () => {
    const csrf = csrfOf(await (await get('/app/account/password')).text());
    expect((await form('/app/account/password', { csrf, current_password: '', new_password: 'x' })).status).toBe(400);
    const refused = await form('/app/account/password', { csrf, current_password: 'guess', new_password: 'a new long phrase' }, { 'accept-language': 'en' });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('The current password is not correct.');
    const changed = await form('/app/account/password', { csrf, current_password: 'old password phrase', new_password: 'a new long phrase' });
    expect(changed.headers.get('location')).toBe('/app/account?done=password');
    expect(pass.calls.at(-1)).toMatchObject({ path: '/api/account/password', body: { current_password: 'old password phrase', new_password: 'a new long phrase', lang: 'ja' } });
    expect(await (await get('/app/account?done=password')).text()).toContain('記憶した端末はすべて取り消しました。');
  });

  test('the history: each list pages on its own; a cursor PASS did not make never reaches it', async () => {
    const html = await (await get('/app/history')).text();
    expect(html).toContain('<title>利用履歴 | PASS</title>');
    expect(html).toContain('顔認証（入館）');
    expect(html).toContain('予約システム');
    expect(html).toContain('href="/app/privacy/export"');
    expect(pass.calls.find((c) => c.path === '/api/privacy/history/checkins')?.query).toBe('?limit=10');
    // The check-ins' next page keeps the releases where they are, and the other way round.
    expect(html).toContain(`href="/app/history?checkin_page=${encodeURIComponent(CHECKIN_CURSOR)}#checkin-list"`);
    expect(html).toContain('href="/app/history?release_page=41#release-list"');
    await get(`/app/history?checkin_page=${encodeURIComponent(CHECKIN_CURSOR)}&release_page=41`);
    const asked = pass.calls.slice(-4).filter((c) => c.path.startsWith('/api/privacy/history/'));
    expect(asked.map((c) => c.query).sort()).toEqual([`?limit=10&before=${encodeURIComponent(CHECKIN_CURSOR)}`, '?limit=10&before=41'].sort());
    await get('/app/history?checkin_page=1%27%20or%201%3D1&release_page=-5');
    expect(pass.calls.slice(-3).filter((c) => c.path.startsWith('/api/privacy/history/')).map((c) => c.query)).toEqual(['?limit=10', '?limit=10']);
    const english = await (await get('/app/history', { headers: { 'accept-language': 'en' } })).text();
    expect(english).toContain('Face (In)');
  });

  test('the next step of the home screen: proofing, then the face (unless switched off), then a facility', () => {
    const tile = (id: string, active: boolean, key = active ? 'x.done' : 'status.todo'): HomeSection => ({ id, titleKey: id, textKey: id, status: { key, active } });
    expect(nextStep([tile('proofing', false), tile('face', false), tile('facilities', false)])).toEqual({ id: 'proofing', number: 1, of: 3, href: '/app/identity' });
    expect(nextStep([tile('proofing', true), tile('face', false), tile('facilities', false)])).toMatchObject({ id: 'face', number: 2, of: 3 });
    expect(nextStep([tile('proofing', true), tile('face', false, 'face.tile.unavailable'), tile('facilities', false)])).toEqual({ id: 'facilities', number: 2, of: 2, href: '/app/facilities/' });
    expect(nextStep([tile('proofing', true), tile('face', true), tile('facilities', true)])).toBeUndefined();
  });

  test("every page's tab title is a message, and the new English texts use English punctuation only", () => {
    const all = { ...APP_MESSAGES, ...CARD_LINK_MESSAGES };
    const views = path.join(REPO_ROOT, 'clients/app/views');
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    // A page includes the frame (partials/top); the rest are parts of pages.
    const pages = walk(views).filter((file) => file.endsWith('.ejs') && /include\('(\.\.\/)?partials\/top'\)/.test(readFileSync(file, 'utf8')));
    expect(pages.length).toBeGreaterThanOrEqual(30);
    const missing = pages.map((file) => `${path.basename(file, '.ejs')}.title`).filter((key) => !Object.hasOwn(all, key));
    expect(missing).toEqual([]);
    for (const messages of [ACCOUNT_APP_MESSAGES, HISTORY_APP_MESSAGES]) {
      for (const [key, text] of Object.entries(messages)) expect({ key, japanese: JAPANESE.test(text.en) }).toEqual({ key, japanese: false });
    }
    for (const key of Object.keys(FAMILY_APP_MESSAGES).filter((k) => k.startsWith('facilities.withdraw') || k.startsWith('facilities.unproofed') || k === 'facilities.given.past')) {
      expect({ key, japanese: JAPANESE.test(FAMILY_APP_MESSAGES[key]!.en) }).toEqual({ key, japanese: false });
    }
  });
});
