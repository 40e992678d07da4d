import { createStorage, startPass, type TestStorage } from '../helpers/pass.ts';
import { storageModes } from '../helpers/services.ts';
import { CookieJar, request } from '../helpers/browserless.ts';
import { demoClients } from '../../src/demo/seed.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import { resident, walk, type Pass } from '../oidc/rp.ts';

const mode = storageModes().at(-1)!;

/** The demo booking site (clients/booking, openid-client inside) as a relying party of PASS. */
describe(`the 豊岡市 booking site receives back-channel logout (${mode})`, () => {
  let storage: TestStorage;
  let pass: Pass;

  beforeAll(async () => {
    storage = await createStorage(mode);
    pass = await startPass(storage.env);
    await pass.platform.facilities.importCatalog(readCatalog());
    await pass.oidc.clients.create(demoClients(pass.issuer).find((c) => c.clientId === 'toyooka-booking')!);
  });

  afterAll(async () => {
    await pass?.close();
    await storage?.cleanup();
  });

  const booking = (path = '/') => `${pass.issuer}/demo/booking${path}`;

  /** Logs in at the booking site through PASS; returns the browser's jar, signed in at both. */
  async function logIn(user: { email: string }, jar = new CookieJar()): Promise<{ jar: CookieJar; pages: string[] }> {
    const start = await request(jar, booking('/login'));
    expect(start.status).toBe(302);
    const authorization = new URL(start.headers.get('location')!);
    expect(authorization.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/); // PAR
    const { callback, pages } = await walk(authorization, booking('/callback'), user, jar);
    const back = await request(jar, callback.href);
    expect(back.headers.get('location')).toBe('/demo/booking/');
    return { jar, pages };
  }

  async function latestSub(): Promise<string> {
    const row = (await pass.platform.db('booking_users').orderBy('created_at', 'desc').first()) as { pass_sub: string };
    return row.pass_sub;
  }

  async function home(jar: CookieJar): Promise<string> {
    return (await request(jar, booking('/'))).text();
  }

  test('first login creates the booking user from the claims; signing out of PASS ends the booking session by back-channel', async () => {
    const user = await resident(pass, 'booking');
    const { jar, pages } = await logIn(user);
    expect(pages).toEqual(['login', 'verify', 'consent']);
    const page = await home(jar);
    expect(page).toContain('data-testid="welcome"');
    // Which claims the user was made from is the facility's consent (issue 6); the user is keyed by PASS's sub.
    const sub = await latestSub();
    expect(await pass.platform.db('booking_users').where({ pass_sub: sub }).first()).toBeDefined();

    // The resident signs out at PASS itself (not at the booking site): PASS tells the site.
    const logoutPage = await (await request(jar, `${pass.issuer}/session/end`)).text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logoutPage)![1]!;
    const action = /<form method="post" action="([^"]+)"/.exec(logoutPage)![1]!.replace(/&amp;/g, '&');
    const [before] = await pass.platform.db('booking_sessions').where({ pass_sub: sub }).count<{ count: string }[]>('* as count');
    expect(Number(before!.count)).toBe(1);
    await request(jar, new URL(action, pass.issuer).href, { method: 'POST', body: new URLSearchParams({ xsrf, logout: 'yes' }) });
    expect(await pass.platform.db('booking_sessions').where({ pass_sub: sub }).first()).toBeUndefined();
    expect(await home(jar)).toContain('href="/demo/booking/login"');
  });

  test('notifyBackchannelLogout (for withdrawn consent) ends every booking session of the resident', async () => {
    const user = await resident(pass, 'withdraw');
    const phone = await logIn(user);
    const laptop = await logIn(user);
    expect(await home(phone.jar)).toContain('id="reservations-heading"');
    expect(await home(laptop.jar)).toContain('id="reservations-heading"');
    expect(await pass.oidc.notifyBackchannelLogout('toyooka-booking', user.id)).toBe('sent');
    expect(await home(phone.jar)).toContain('href="/demo/booking/login"');
    expect(await home(laptop.jar)).toContain('href="/demo/booking/login"');
    expect(await pass.oidc.notifyBackchannelLogout('no-such-client', user.id)).toBe('unknown_client');
  });

  test('the booking site refuses logout tokens it cannot verify', async () => {
    const forged = await fetch(booking('/backchannel-logout'), { method: 'POST', body: new URLSearchParams({ logout_token: 'eyJhbGciOiJub25lIn0.e30.' }) });
    expect(forged.status).toBe(400);
    expect(((await forged.json()) as { error: string }).error).toBe('invalid_request');
  });
});
