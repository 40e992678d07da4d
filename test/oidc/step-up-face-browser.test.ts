/**
 * The face step of a step-up sign-in in the browser (issue #7): a relying party asks
 * acr_values=urn:pass:acr:face; after the password, PASS shows the PASS app's camera capture
 * (Chromium's fake camera plays a photo of the enrolled person), matches it 1:1 and sends the
 * resident back; the ID token says acr face, amr pwd face mfa.
 */
import '../face/realm.ts';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { storageModes, tempDir } from '../helpers/services.ts';
import { ACR_FACE } from '../../src/identity/assurance.ts';
import { faceEnv, photo, SHARED_FACES } from '../face/platform.ts';
import { browserAvailable, launch, screenshotter } from '../browser/browser.ts';
import { photoToY4m } from '../browser/fake-camera.ts';
import { cspViolations } from '../browser/journey-helpers.ts';
import { proofedResident } from '../households/family-helpers.ts';
import { PASSWORD, startEnv, stopEnv, TARO, type Env } from '../jpki/proofing-helpers.ts';
import { authParams } from './facility-helpers.ts';

const mode = storageModes().at(-1)!;
const run = browserAvailable() ? describe : describe.skip;

run(`the face step in the browser (${mode})`, () => {
  const dir = tempDir('pass-stepup-face-');
  let env: Env;
  let browser: Browser;
  let rp: http.Server;
  let redirectUri: string;
  let config: oidc.Configuration;

  beforeAll(async () => {
    const camera = await photoToY4m(path.join(SHARED_FACES, 'obama', '2.jpg'), path.join(dir.path, 'camera.y4m'));
    // The relying party's callback: a page that just says it got there.
    rp = http.createServer((_req, res) => res.end('<!doctype html><title>RP</title><p>back at the relying party</p>'));
    await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', () => resolve()));
    redirectUri = `http://127.0.0.1:${(rp.address() as AddressInfo).port}/cb`;
    [env, browser] = await Promise.all([startEnv(mode, faceEnv({})), launch(camera)]);
    const client = await env.pass.oidc.clients.create({ clientId: 'stepup-browser-rp', name: '加賀市 電子申請', redirectUris: [redirectUri] });
    config = await oidc.discovery(new URL(env.pass.issuer), client.clientId, undefined, oidc.ClientSecretBasic(client.clientSecret!), { execute: [oidc.allowInsecureRequests] });
    // Only a proofed person enrolls a face: kao proves themselves with a virtual card first.
    const { token } = await proofedResident(env, 'kao@example.jp', TARO, 'kao');
    const enrolled = await fetch(new URL('/api/face/enrollment', env.pass.issuer), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' },
      body: await photo('obama', 1),
    });
    expect(enrolled.status).toBe(201);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stopEnv(env);
    await new Promise((resolve) => rp?.close(resolve));
    dir.remove();
  });

  test('password, then the camera: matched, back at the relying party with acr face', async () => {
    const shot = screenshotter('step-up-face');
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, permissions: ['camera'] });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    const violations = cspViolations(page);
    try {
      const { params, checks } = await authParams(redirectUri, 'openid', { acr_values: ACR_FACE });
      await page.goto(oidc.buildAuthorizationUrl(config, params).toString());
      await page.getByLabel('メールアドレスまたは携帯電話番号').fill('kao@example.jp');
      await page.getByLabel('パスワード', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'ログイン', exact: true }).click();

      await page.getByRole('heading', { name: '顔で確認', level: 1 }).waitFor();
      expect(await page.textContent('main')).toContain('加賀市 電子申請');
      await page.getByRole('button', { name: 'カメラを起動する' }).click();
      await page.getByRole('button', { name: '撮影する' }).click();
      await page.locator('#preview-img').waitFor();
      await shot(page, 'captured');
      await page.getByRole('button', { name: 'この写真で確認する' }).click();

      // Matched: on to the (scope) consent of this relying party, then back to it.
      await page.getByRole('heading', { name: '情報提供への同意' }).waitFor();
      await page.getByRole('button', { name: '同意する' }).click();
      await page.waitForURL((url) => url.toString().startsWith(redirectUri));
      const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), checks);
      expect(tokens.claims()).toMatchObject({ acr: ACR_FACE, amr: ['pwd', 'face', 'mfa'] });
      expect(violations).toEqual([]);
    } catch (error) {
      await shot(page, 'failure');
      throw error;
    } finally {
      await context.close();
    }
  });
});
