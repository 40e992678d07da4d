/**
 * Step-up by acr_values (issue #7), with openid-client as the relying party: a fresh signature by
 * the resident's own My Number Card (the development virtual card) or a 1:1 face match (real
 * models and photos) in the interaction; the ID token says which (acr, amr per RFC 8176); an acr
 * the account cannot meet is unmet_authentication_requirements, a cancelled step access_denied.
 */
import '../face/realm.ts';
import * as oidc from 'openid-client';
import { storageModes } from '../helpers/services.ts';
import { CookieJar, csrfOf, request, signInStep } from '../helpers/browserless.ts';
import { readCatalog } from '../../src/facilities/facility-service.ts';
import { ACR_CARD, ACR_FACE, ACR_MFA, ACR_PASSWORD } from '../../src/identity/assurance.ts';
import { faceEnv, photo } from '../face/platform.ts';
import { proofedResident } from '../households/family-helpers.ts';
import { HANAKO, newAccount, PASSWORD, RP_REDIRECT, startEnv, stopEnv, TARO, type Env } from '../jpki/proofing-helpers.ts';
import { authParams, jwtPayload } from './facility-helpers.ts';

const mode = storageModes().at(-1)!;
const insecure = { execute: [oidc.allowInsecureRequests] };

interface Step {
  /** What the resident does on each step page; default: the card taro with its PIN, the face photo obama/2. */
  card?: { card: string; pin: string };
  face?: Buffer;
}

interface Outcome {
  callback: URL;
  pages: string[];
  /** The last step page's HTML or JSON answer, for refusals. */
  last: string;
}

describe(`step-up by acr_values: card signature and face match (${mode})`, () => {
  let env: Env;
  let config: oidc.Configuration;
  let faceProbe: Buffer;

  beforeAll(async () => {
    env = await startEnv(mode, faceEnv({}));
    await env.pass.platform.facilities.importCatalog(readCatalog());
    const rp = await env.pass.oidc.clients.create({ clientId: 'stepup-rp', name: '加賀市 電子申請', redirectUris: [RP_REDIRECT] });
    config = await oidc.discovery(new URL(env.pass.issuer), 'stepup-rp', undefined, oidc.ClientSecretBasic(rp.clientSecret!), insecure);
    const taro = await proofedResident(env, 'taro@example.jp', TARO, 'taro');
    await env.cards.issue(HANAKO, { id: 'hanako' });
    // Taro's face: enrolled from one photo, matched later against another.
    const enrolled = await fetch(new URL('/api/face/enrollment', env.pass.issuer), {
      method: 'POST',
      headers: { authorization: `Bearer ${taro.token}`, 'content-type': 'image/jpeg' },
      body: await photo('obama', 1),
    });
    expect(enrolled.status).toBe(201);
    faceProbe = await photo('obama', 2);
    await newAccount(env, 'nofacts@example.jp');
  }, 90_000);

  afterAll(async () => stopEnv(env));

  /** The browser: sign-in (password, then the code from the outbox), scope consent, then whatever step PASS shows, until back at the relying party. */
  async function walk(start: URL, email: string, step: Step = {}, jar = new CookieJar()): Promise<Outcome> {
    const pages: string[] = [];
    let next = start.toString();
    let last = '';
    for (let i = 0; i < 16; i += 1) {
      if (next.startsWith(RP_REDIRECT)) return { callback: new URL(next), pages, last };
      const page = await request(jar, next);
      if (page.status >= 300 && page.status < 400) {
        next = new URL(page.headers.get('location')!, next).toString();
        continue;
      }
      const html = await page.text();
      last = html;
      const form = /action="\/interaction\/([^/]+)\/(login|verify|consent|step-up\/card|step-up\/face)"/.exec(html);
      if (!form) return { callback: new URL('about:blank'), pages, last };
      const [, uid, kind] = form as unknown as [string, string, string];
      pages.push(kind);
      const url = new URL(`/interaction/${uid}/${kind}`, next).toString();
      let posted: Response;
      if (kind === 'step-up/face') {
        posted = await request(jar, url, {
          method: 'POST',
          headers: { 'content-type': 'image/jpeg', 'x-csrf-token': /data-csrf="([^"]+)"/.exec(html)![1]!, accept: 'application/json' },
          body: step.face ?? faceProbe,
        });
        const answer = (await posted.json()) as { ok: boolean; next?: string };
        last = JSON.stringify({ status: posted.status, ...answer });
        if (!answer.ok) return { callback: new URL('about:blank'), pages, last };
        next = new URL(answer.next!, next).toString();
        continue;
      }
      if (kind === 'login' || kind === 'verify') {
        const then = (await signInStep(jar, env.pass.issuer, html, { login: email, password: PASSWORD }))!;
        posted = await request(jar, then.url, then.init);
      } else {
        const fields: Record<string, string> = kind === 'consent' ? { decision: 'allow' } : { card: step.card?.card ?? 'taro', pin: step.card?.pin ?? 'PASS1234' };
        posted = await request(jar, url, { method: 'POST', body: new URLSearchParams({ ...fields, csrf: csrfOf(html) }) });
      }
      const location = posted.headers.get('location');
      if (!location) {
        last = await posted.text();
        return { callback: new URL('about:blank'), pages, last };
      }
      next = new URL(location, next).toString();
    }
    throw new Error('too many redirects');
  }

  async function signIn(extra: Record<string, string>, email = 'taro@example.jp', step: Step = {}, jar?: CookieJar): Promise<Outcome & { error: string | null; idToken?: Record<string, any> }> {
    const { params, checks } = await authParams(RP_REDIRECT, 'openid', extra);
    const outcome = await walk(oidc.buildAuthorizationUrl(config, params), email, step, jar);
    const error = outcome.callback.searchParams.get('error');
    if (outcome.callback.protocol === 'about:' || error) return { ...outcome, error };
    const tokens = await oidc.authorizationCodeGrant(config, outcome.callback, checks);
    return { ...outcome, error, idToken: jwtPayload(tokens.id_token!) };
  }

  test('discovery advertises the card and face acr values', () => {
    expect(config.serverMetadata().acr_values_supported).toEqual(expect.arrayContaining([ACR_PASSWORD, ACR_MFA, ACR_CARD, ACR_FACE]));
  });

  test('acr_values for a card signature: the virtual card signs a fresh challenge; acr and amr hwk, sc, pin say so', async () => {
    const jar = new CookieJar();
    const done = await signIn({ acr_values: ACR_CARD }, 'taro@example.jp', {}, jar);
    expect(done.pages).toEqual(['login', 'step-up/card', 'consent']);
    expect(done.idToken).toMatchObject({ acr: ACR_CARD });
    expect(done.idToken!.amr).toEqual(expect.arrayContaining(['pwd', 'hwk', 'sc', 'pin', 'mfa']));

    // Fresh each time: already signed in, the next request asking for it gets the card step again, without the password.
    const again = await signIn({ acr_values: ACR_CARD }, 'taro@example.jp', {}, jar);
    expect(again.pages).toEqual(['step-up/card']);
    expect(again.idToken).toMatchObject({ acr: ACR_CARD });

    // A request without acr_values in the same session: no step.
    expect((await signIn({}, 'taro@example.jp', {}, jar)).pages).toEqual([]);
  });

  test('the card step refuses a wrong PIN (tries left) and another person\'s card; no code either time', async () => {
    const wrongPin = await signIn({ acr_values: ACR_CARD }, 'taro@example.jp', { card: { card: 'taro', pin: 'WRONG999' } });
    expect(wrongPin.pages.at(-1)).toBe('step-up/card');
    expect(wrongPin.last).toContain('暗証番号が違います');
    expect(wrongPin.last).toContain('あと2回');
    expect(wrongPin.callback.searchParams.get('code')).toBeNull();

    const otherCard = await signIn({ acr_values: ACR_CARD }, 'taro@example.jp', { card: { card: 'hanako', pin: 'PASS1234' } });
    expect(otherCard.pages.at(-1)).toBe('step-up/card');
    expect(otherCard.last).toContain('別の方');
    expect(otherCard.callback.searchParams.get('code')).toBeNull();
    // The right card after those: the PIN counter of taro's card was reset by the good PIN.
    expect((await signIn({ acr_values: ACR_CARD })).idToken).toMatchObject({ acr: ACR_CARD });
  });

  test('acr_values for a face match: a 1:1 match above the threshold; acr face, amr pwd face mfa', async () => {
    const done = await signIn({ acr_values: ACR_FACE });
    expect(done.pages).toEqual(['login', 'step-up/face', 'consent']);
    expect(done.idToken).toMatchObject({ acr: ACR_FACE, amr: ['pwd', 'face', 'mfa'] });
  });

  test('a stranger\'s face is refused (403, face_mismatch) and no code is issued', async () => {
    const refused = await signIn({ acr_values: ACR_FACE }, 'taro@example.jp', { face: await photo('biden', 1) });
    expect(refused.pages.at(-1)).toBe('step-up/face');
    expect(JSON.parse(refused.last)).toMatchObject({ status: 403, ok: false, reason: 'face_mismatch' });
    expect(refused.callback.searchParams.get('code')).toBeNull();
  });

  test('claims.id_token.acr essential: the same step', async () => {
    const done = await signIn({ claims: JSON.stringify({ id_token: { acr: { essential: true, values: [ACR_CARD] } } }) });
    expect(done.pages).toEqual(['login', 'step-up/card', 'consent']);
    expect(done.idToken).toMatchObject({ acr: ACR_CARD });
  });

  test('an acr the account cannot meet: unmet_authentication_requirements; with a fallback listed, the fallback', async () => {
    const unmet = await signIn({ acr_values: `${ACR_FACE} ${ACR_CARD}` }, 'nofacts@example.jp');
    expect(unmet.error).toBe('unmet_authentication_requirements');
    expect(unmet.callback.searchParams.get('iss')).toBe(env.pass.issuer);
    expect(unmet.callback.searchParams.get('code')).toBeNull();

    // The fallback is met by the sign-in the resident makes, which has two factors by default (AAL2).
    const fallback = await signIn({ acr_values: `${ACR_FACE} ${ACR_PASSWORD}` }, 'nofacts@example.jp');
    expect(fallback.pages).toEqual(['login', 'verify', 'consent']);
    expect(fallback.idToken).toMatchObject({ acr: ACR_PASSWORD, amr: ['pwd', 'otp', 'mfa'] });
  });

  test('cancelling the step: access_denied at the relying party', async () => {
    const { params } = await authParams(RP_REDIRECT, 'openid', { acr_values: ACR_CARD });
    const jar = new CookieJar();
    const walked = await walk(oidc.buildAuthorizationUrl(config, params), 'taro@example.jp', { card: { card: 'hanako', pin: 'PASS1234' } }, jar);
    const uid = /action="\/interaction\/([^/]+)\/step-up\/cancel"/.exec(walked.last)![1]!;
    const cancelled = await request(jar, new URL(`/interaction/${uid}/step-up/cancel`, env.pass.issuer).toString(), {
      method: 'POST',
      body: new URLSearchParams({ csrf: csrfOf(walked.last) }),
    });
    let next = new URL(cancelled.headers.get('location')!, env.pass.issuer).toString();
    while (!next.startsWith(RP_REDIRECT)) next = new URL((await request(jar, next)).headers.get('location')!, next).toString();
    expect(new URL(next).searchParams.get('error')).toBe('access_denied');
  });

  test('prompt=none with a step asked for: login_required (the step needs the resident)', async () => {
    const jar = new CookieJar();
    await signIn({}, 'taro@example.jp', {}, jar);
    const { params } = await authParams(RP_REDIRECT, 'openid', { acr_values: ACR_CARD, prompt: 'none' });
    const answer = await request(jar, oidc.buildAuthorizationUrl(config, params).toString());
    expect(new URL(answer.headers.get('location')!).searchParams.get('error')).toBe('login_required');
  });
});
