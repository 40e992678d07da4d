/**
 * The console's shell without a browser: PASS Manager is its own confidential client using the
 * code flow with PKCE; signed-out and expired sessions go back through sign-in (and only ever to
 * a Manager page); sign-out needs the session's CSRF token and ends the session; a section is
 * open only to its roles (the navigation hides it too); its static files are a fixed set; pages
 * carry the strict CSP.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { CookieJar, csrfOf, request } from '../helpers/browserless.ts';
import { ClientSessions } from '../../clients/shared/session-store.ts';
import { consoleRoutes } from '../../clients/manager/console-routes.ts';
import { managerOidcClient } from '../../clients/manager/client.ts';
import type { ManagerSection } from '../../clients/manager/sections.ts';
import { managerSession, staffWorld, STAFF, type Pass } from './helpers.ts';

const mode = storageModes()[0]!;

describe(`the PASS Manager shell (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await staffWorld(pass);
  }, 60_000);

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  test('sign-in is the code flow with PKCE of its own confidential client', async () => {
    const response = await request(new CookieJar(), `${pass.issuer}/manager/login`);
    expect(response.status).toBe(302);
    const url = new URL(response.headers.get('location')!);
    expect(url.origin + url.pathname).toBe(`${pass.issuer}/auth`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'pass-manager',
      redirect_uri: `${pass.issuer}/manager/callback`,
      response_type: 'code',
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      scope: expect.stringContaining('manager'),
      resource: `${pass.issuer}/api`,
    });
    const client = await pass.oidc.clients.find('pass-manager');
    expect(client?.metadata.token_endpoint_auth_method).toBe('client_secret_basic');
    expect(client?.clientSecret).toBeTruthy();
  });

  test('signed out: pages go to the landing page, fetches and streams get a 401', async () => {
    const jar = new CookieJar();
    const page = await request(jar, `${pass.issuer}/manager/history/`);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/manager/');
    for (const accept of ['application/json', 'text/event-stream']) {
      expect((await request(jar, `${pass.issuer}/manager/alerts/stream`, { headers: { accept } })).status).toBe(401);
    }
    const landing = await request(jar, `${pass.issuer}/manager/`);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('PASS ID でログイン');
  });

  test('after sign-in, back to the page asked for — never to another site', async () => {
    const asked = await managerSession(pass.issuer, STAFF.niconico.email, new CookieJar(), `/manager/login?return=${encodeURIComponent('/manager/alerts/?status=all')}`);
    expect(asked.at).toBe(`${pass.issuer}/manager/alerts/?status=all`);
    for (const evil of ['https://evil.example/', '//evil.example/manager/', '/app/']) {
      const landed = await managerSession(pass.issuer, STAFF.niconico.email, new CookieJar(), `/manager/login?return=${encodeURIComponent(evil)}`);
      expect(landed.at).toBe(`${pass.issuer}/manager/`);
    }
  });

  test('a revoked access token sends the staff member through sign-in again, back to the same page', async () => {
    const { jar } = await managerSession(pass.issuer, STAFF.niconico.email);
    expect((await request(jar, `${pass.issuer}/manager/history/`)).status).toBe(200);
    await pass.platform.db('oidc_payloads').where({ model: 'AccessToken' }).delete();
    const page = await request(jar, `${pass.issuer}/manager/history/?f=1&result=rejected`);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(`/manager/login?return=${encodeURIComponent('/manager/history/?f=1&result=rejected')}`);
  });

  test('sign-out needs the CSRF token, ends the session and the PASS session', async () => {
    const { jar, landed } = await managerSession(pass.issuer, STAFF.niconico.email);
    const csrf = csrfOf(await landed.text());
    const forged = await request(jar, `${pass.issuer}/manager/logout`, { method: 'POST', body: new URLSearchParams({ csrf: 'forged' }) });
    expect(forged.headers.get('location')).toBe('/manager/');
    expect((await request(jar, `${pass.issuer}/manager/history/`)).status).toBe(200);
    const out = await request(jar, `${pass.issuer}/manager/logout`, { method: 'POST', body: new URLSearchParams({ csrf }) });
    expect(out.status).toBe(303);
    const end = new URL(out.headers.get('location')!);
    expect(end.pathname).toBe('/session/end');
    expect(end.searchParams.get('client_id')).toBe('pass-manager');
    expect(end.searchParams.get('id_token_hint')).toBeTruthy();
    const after = await request(jar, `${pass.issuer}/manager/history/`);
    expect(after.headers.get('location')).toBe('/manager/');
  });

  test('a section opens only for its roles, and the navigation hides it from others', async () => {
    // The shell on its own, with one admin-only section, on the same sessions and the same PASS.
    const adminOnly: ManagerSection = {
      id: 'admin-only',
      navKey: 'test.admin',
      path: '/admin-only',
      roles: ['municipal_admin'],
      messages: { 'test.admin': { ja: '管理者だけ', en: 'Admins only' } },
      routes: (env) => new Router().get('/', (ctx) => env.render(ctx, 'home', { section: 'admin-only' })),
    };
    const app = new Koa();
    const screens = consoleRoutes({
      issuer: pass.issuer,
      sessions: new ClientSessions(pass.platform.db, pass.platform.box, 'manager', 3600),
      client: managerOidcClient(pass.oidc.clients, pass.issuer),
      csrfKey: pass.platform.config.cookieKeys[0]!,
      secureCookies: false,
      sessionTtlSeconds: 3600,
      sections: [adminOnly],
    });
    app.use(screens.router.routes());
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const shell = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const staff = await managerSession(pass.issuer, STAFF.niconico.email);
      const refused = await request(staff.jar, `${shell}/manager/admin-only/`);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('この画面を開く権限がありません');
      expect(await (await request(staff.jar, `${shell}/manager/`)).text()).not.toContain('管理者だけ');
      const admin = await managerSession(pass.issuer, STAFF.kagaAdmin.email);
      const opened = await request(admin.jar, `${shell}/manager/admin-only/`);
      expect(opened.status).toBe(200);
      expect(await opened.text()).toContain('id="nav-admin-only" href="/manager/admin-only/" aria-current="page"');
    } finally {
      screens.drain();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('static files are a fixed set; pages carry the strict CSP and are never cached', async () => {
    const css = await fetch(`${pass.issuer}/manager/static/manager.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    for (const path of ['/manager/static/..%2F..%2Fpackage.json', '/manager/static/missing.js', '/manager/static/manager.css.bak']) {
      expect((await fetch(`${pass.issuer}${path}`)).status).toBe(404);
    }
    const { jar } = await managerSession(pass.issuer, STAFF.niconico.email);
    const page = await request(jar, `${pass.issuer}/manager/alerts/`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).not.toMatch(/<script>(?!<\/script>)|style="/);
  });
});
