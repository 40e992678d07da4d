// Server-provided DPoP nonces for kiosks (RFC 9449 §8, §9): the kiosk API and the token endpoint
// refuse a kiosk's proof without a recent PASS nonce (`use_dpop_nonce` with a `DPoP-Nonce` header),
// nonces are good on every node (no state: an HMAC of the time window), stale and made-up ones are
// refused; and the kiosk app in Chromium recovers by itself when every nonce it holds goes stale
// (PASS restarted with a rotated cookie key), at the token endpoint and at the kiosk API.
import { chromium } from 'playwright-core';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes, tempDir } from '../helpers/services.ts';
import { browserAvailable, CHROMIUM, screenshotter } from '../browser/browser.ts';
import { DpopNonces, kioskApiNonces, NONCE_WINDOW_SECONDS, NONCE_WINDOWS_BACK } from '../../src/kiosk/dpop-nonce.ts';
import { approveDevice, provisionKiosk, staffAccount, TestKiosk, withFacilities, type Pass } from './helpers.ts';
import { plainResident, register, residentApiToken } from './fixtures.ts';

const mode = storageModes().at(-1)!;
const WINDOW_MS = NONCE_WINDOW_SECONDS * 1000;

describe('DPoP nonces (no server)', () => {
  test('a nonce is good for its window and the next few, one window early, never later', () => {
    let now = Date.UTC(2026, 10, 21, 12, 0, 30);
    const nonces = new DpopNonces(Buffer.alloc(32, 7), () => now);
    const made = nonces.current();
    expect(made).toMatch(/^[A-Za-z0-9_-]{43}$/);
    now += NONCE_WINDOWS_BACK * WINDOW_MS;
    expect(nonces.isValid(made)).toBe(true);
    now += WINDOW_MS;
    expect(nonces.isValid(made)).toBe(false);
    // Made by a node whose clock runs a window ahead.
    now = Date.UTC(2026, 10, 21, 12, 0, 30);
    expect(nonces.isValid(nonces.current(now + WINDOW_MS))).toBe(true);
    expect(nonces.isValid(nonces.current(now + 2 * WINDOW_MS))).toBe(false);
    expect(nonces.isValid('A'.repeat(43))).toBe(false);
    expect(nonces.isValid('short')).toBe(false);
  });

  test('every node derives the same nonces from the configuration; another key gives others', () => {
    const at = () => Date.UTC(2026, 10, 21, 12, 0, 0);
    const a = kioskApiNonces({ cookieKeys: ['a'.repeat(40)] }, at);
    const b = kioskApiNonces({ cookieKeys: ['a'.repeat(40), 'older key'] }, at);
    const rotated = kioskApiNonces({ cookieKeys: ['b'.repeat(40), 'a'.repeat(40)] }, at);
    expect(b.isValid(a.current())).toBe(true);
    expect(rotated.isValid(a.current())).toBe(false);
  });
});

describe(`DPoP nonces at the kiosk API and the token endpoint (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;
  let kiosk: TestKiosk;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await withFacilities(pass);
    await staffAccount(pass, 'staff@niconico.example.jp', 'facility_staff', { facilityId: 'kaga-niconico-park' });
    kiosk = await provisionKiosk(pass, 'staff@niconico.example.jp');
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  async function me(nonce: string | null, base = pass.issuer): Promise<Response> {
    const url = `${pass.issuer}/api/kiosk/me`;
    return fetch(`${base}/api/kiosk/me`, { headers: { authorization: `DPoP ${kiosk.accessToken}`, DPoP: await kiosk.proof('GET', url, kiosk.accessToken, nonce) } });
  }

  test('the kiosk API: no nonce, a stale or made-up one is refused with use_dpop_nonce and a fresh nonce; the fresh one works', async () => {
    const stale = kioskApiNonces(pass.platform.config, () => Date.now() - (NONCE_WINDOWS_BACK + 2) * WINDOW_MS).current();
    for (const nonce of [null, stale, 'A'.repeat(43)]) {
      const refused = await me(nonce);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('error="use_dpop_nonce"');
      expect(await refused.json()).toMatchObject({ error: 'unauthorized', reason: 'use_dpop_nonce' });
      expect(refused.headers.get('dpop-nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    const given = (await me(null)).headers.get('dpop-nonce')!;
    const accepted = await me(given);
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('dpop-nonce')).toBe(given);
    // A proof is still used once, nonce or not.
    const proof = await kiosk.proof('GET', `${pass.issuer}/api/kiosk/me`, kiosk.accessToken, given);
    const headers = { authorization: `DPoP ${kiosk.accessToken}`, DPoP: proof };
    expect((await fetch(`${pass.issuer}/api/kiosk/me`, { headers })).status).toBe(200);
    expect(await (await fetch(`${pass.issuer}/api/kiosk/me`, { headers })).json()).toMatchObject({ reason: 'invalid_dpop_proof' });
    // A bad proof is told what is wrong with it, not to fetch a nonce.
    const foreign = await new TestKiosk(pass.issuer).init();
    const wrongKey = await fetch(`${pass.issuer}/api/kiosk/me`, { headers: { authorization: `DPoP ${kiosk.accessToken}`, DPoP: await foreign.proof('GET', `${pass.issuer}/api/kiosk/me`, kiosk.accessToken, null) } });
    expect(await wrongKey.json()).toMatchObject({ reason: 'invalid_dpop_proof' });
  });

  test('the token endpoint asks the kiosk client for a nonce; a made-up one is refused', async () => {
    const refresh = async (nonce: string | null) => {
      const url = `${pass.issuer}/token`;
      return fetch(url, {
        method: 'POST',
        headers: { DPoP: await kiosk.proof('POST', url, undefined, nonce) },
        body: new URLSearchParams({ client_id: 'pass-kiosk', grant_type: 'refresh_token', refresh_token: kiosk.refreshToken! }),
      });
    };
    for (const nonce of [null, 'A'.repeat(43)]) {
      const refused = await refresh(nonce);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: 'use_dpop_nonce' });
      expect(refused.headers.get('dpop-nonce')).toBeTruthy();
    }
    const nonce = (await refresh(null)).headers.get('dpop-nonce')!;
    const accepted = await refresh(nonce);
    expect(accepted.status).toBe(200);
    const body = (await accepted.json()) as Record<string, string>;
    kiosk.accessToken = body.access_token!;
    kiosk.refreshToken = body.refresh_token ?? kiosk.refreshToken;
    expect((await kiosk.call('GET', '/api/kiosk/me')).status).toBe(200);
  });

  test('a nonce given by one node is good at another (same issuer, shared database and Redis)', async () => {
    const other = await startPass({ ...storage.env, ISSUER: pass.issuer });
    try {
      const nonce = (await me(null)).headers.get('dpop-nonce')!;
      const there = await me(nonce, other.url);
      expect(there.status).toBe(200);
      const url = `${pass.issuer}/token`;
      const asNonce = (await fetch(url, { method: 'POST', headers: { DPoP: await kiosk.proof('POST', url, undefined, null) }, body: new URLSearchParams({ client_id: 'pass-kiosk', grant_type: 'refresh_token', refresh_token: kiosk.refreshToken! }) })).headers.get('dpop-nonce')!;
      // Behind the proxy every node sees the issuer's host; here node B sees its own port, so its /token is the htu.
      const refreshedThere = await fetch(`${other.url}/token`, {
        method: 'POST',
        headers: { DPoP: await kiosk.proof('POST', `${other.url}/token`, undefined, asNonce) },
        body: new URLSearchParams({ client_id: 'pass-kiosk', grant_type: 'refresh_token', refresh_token: kiosk.refreshToken! }),
      });
      expect({ status: refreshedThere.status, body: await refreshedThere.json() }).toMatchObject({ status: 200, body: { token_type: 'DPoP' } });
    } finally {
      await other.close();
    }
  });
});

const runBrowser = browserAvailable() ? describe : describe.skip;

runBrowser(`the kiosk app recovers from stale DPoP nonces (${mode})`, () => {
  const dir = tempDir('pass-kiosk-nonce-');
  let storage: TestStorage;
  let pass: Pass;
  let env: Record<string, string>;
  const shot = screenshotter('kiosk-nonce');

  beforeAll(async () => {
    storage = await createStorage(mode);
    // A 30-second access token: the kiosk refreshes before every call (it does so under a minute left), so the token endpoint's nonce is exercised too.
    env = { ...storage.env, ACCESS_TOKEN_TTL_SECONDS: '30', PASS_COOKIE_KEYS: 'first-cookie-key-of-this-test-0123456789' };
    pass = await startPass(env);
    env = { ...env, PORT: new URL(pass.issuer).port, ISSUER: pass.issuer };
    await withFacilities(pass);
    await staffAccount(pass, 'staff@niconico.example.jp', 'facility_staff', { facilityId: 'kaga-niconico-park' });
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
    dir.remove();
  });

  test('provisioned with nonces, then every nonce it holds goes stale: the next check-in still succeeds', async () => {
    const context = await chromium.launchPersistentContext(dir.path, {
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
      locale: 'ja-JP',
      viewport: { width: 1024, height: 768 },
    });
    context.setDefaultTimeout(20_000);
    const page = context.pages()[0] ?? (await context.newPage());
    const traffic: string[] = [];
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (path === '/token' || path.startsWith('/api/kiosk')) traffic.push(`${r.request().method()} ${path} ${r.status()}`);
    });
    try {
      await page.goto(`${pass.issuer}/kiosk`);
      await page.getByTestId('user-code').filter({ hasText: /\w{4}-\w{4}/ }).waitFor();
      await approveDevice(pass.issuer, (await page.getByTestId('verification-link').getAttribute('href'))!, 'staff@niconico.example.jp');
      await page.getByTestId('facility-name').filter({ hasText: 'かがにこにこパーク' }).waitFor();
      await shot(page, 'ready');
      // The first token request had no nonce: PASS asked for one and the kiosk sent it again.
      expect(traffic.filter((t) => t.startsWith('POST /token')).slice(0, 2)).toEqual(expect.arrayContaining(['POST /token 400']));
      expect(traffic).toContain('POST /api/kiosk/activation 201');

      // PASS restarts with a new cookie key first: every nonce the kiosk holds is now unknown to it.
      await pass.close();
      pass = await startPass({ ...env, PASS_COOKIE_KEYS: 'second-cookie-key-of-this-test-0123456789,first-cookie-key-of-this-test-0123456789' });
      const resident = await plainResident(pass, 'nonce.resident@example.jp');
      await register(pass, resident.personId, 'kaga-niconico-park', ['name']);
      const qr = await fetch(`${pass.issuer}/api/checkins/qr-token`, { method: 'POST', headers: { authorization: `Bearer ${await residentApiToken(pass, 'nonce.resident@example.jp')}` } });
      const { token } = (await qr.json()) as { token: string };
      traffic.length = 0;

      await page.getByRole('button', { name: 'QRコード', exact: true }).click();
      // The staff's manual entry (residents show the code to the camera).
      if ((await page.locator('#qr-staff').getAttribute('open')) === null) await page.locator('#qr-staff summary').click();
      await page.locator('#qr-text').fill(token);
      await page.locator('#qr-form button[type=submit]').click();
      await page.getByTestId('result-message').filter({ hasText: 'チェックインしました。' }).waitFor();
      await shot(page, 'accepted-after-rotation');
      // Refused once at each server for the stale nonce, then accepted with the nonce that came back.
      expect(traffic).toEqual(expect.arrayContaining(['POST /token 400', 'POST /token 200', 'POST /api/kiosk/checkins/qr 401', 'POST /api/kiosk/checkins/qr 201']));
      const rows = await pass.platform.db('checkins').where({ method: 'qr', person_id: resident.personId });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ result: 'accepted', facility_id: 'kaga-niconico-park' });
    } catch (error) {
      await shot(page, 'failure').catch(() => undefined);
      throw new Error(`${(error as Error).message}\ntraffic:\n${traffic.join('\n')}`);
    } finally {
      await context.close();
    }
  }, 90_000);
});
