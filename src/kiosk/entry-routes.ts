/**
 * Device-code check-in on the resident's phone: /checkin/<code> (from the kiosk screen or a poster
 * at the entrance) signs the resident in to PASS with the built-in client `pass-checkin`
 * (authorization code + PKCE; PASS's consent page when the resident has not agreed before), then
 * /checkin/callback records the check-in for the code's facility and shows the result. The kiosk
 * showing the code sees it through GET /api/kiosk/checkin-codes/:code.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { SecretBox } from '../core/secret-box.ts';
import type { Database } from '../db/database.ts';
import { render } from '../http/render.ts';
import { MESSAGES as PAGE_MESSAGES } from '../identity/interactions/messages.ts';
import type { CheckinService } from '../checkins/checkin-service.ts';
import type { CheckinCodes } from '../checkins/checkin-codes.ts';
import type { StaffFacility } from '../staff/staff-service.ts';
import { FaceStore } from '../face/service/template-store.ts';
import { ENTRY_MESSAGES } from './page-messages.ts';

export const CHECKIN_CLIENT_ID = 'pass-checkin';
const COOKIE = 'pass_checkin';
const FLOW_SECONDS = 900;

interface Flow {
  state: string;
  verifier: string;
  code: string;
}

export interface EntryDeps {
  issuer: string;
  provider: () => Provider;
  box: SecretBox;
  db: Database;
  codes: CheckinCodes;
  checkins: CheckinService;
  facility(id: string): Promise<StaffFacility | undefined>;
  secureCookies: boolean;
}

export function entryRoutes(deps: EntryDeps): Router {
  const router = new Router({ prefix: '/checkin' });
  const messages = { ...PAGE_MESSAGES, ...ENTRY_MESSAGES };
  const persons = new FaceStore(deps.db);
  const redirectUri = `${deps.issuer}/checkin/callback`;

  async function page(ctx: Context, status: number, locals: { errorKey?: string; result?: unknown; facility?: StaffFacility | undefined }): Promise<void> {
    await render(ctx, 'kiosk/entry', messages, { here: ctx.path, errorKey: null, result: null, facility: null, ...locals });
    ctx.status = status;
  }

  function setFlow(ctx: Context, flow: Flow | null): void {
    ctx.cookies.set(COOKIE, flow ? deps.box.seal(JSON.stringify(flow), COOKIE) : null, {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secureCookies,
      path: '/checkin',
      signed: false,
      maxAge: flow ? FLOW_SECONDS * 1000 : 0,
      overwrite: true,
    });
  }

  function readFlow(ctx: Context): Flow | undefined {
    const sealed = ctx.cookies.get(COOKIE, { signed: false });
    try {
      return sealed ? (JSON.parse(deps.box.openText(sealed, COOKIE)) as Flow) : undefined;
    } catch {
      return undefined;
    }
  }

  router.get('/callback', async (ctx) => {
    const flow = readFlow(ctx);
    setFlow(ctx, null);
    const code = flow ? await deps.codes.find(flow.code) : undefined;
    if (!flow || !code) return page(ctx, 400, { errorKey: 'code_expired' });
    if (typeof ctx.query.code !== 'string' || ctx.query.state !== flow.state) return page(ctx, 400, { errorKey: 'entry.declined' });
    const response = await fetch(`${deps.issuer}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: CHECKIN_CLIENT_ID, code: ctx.query.code, redirect_uri: redirectUri, code_verifier: flow.verifier }),
    });
    const tokens = (await response.json()) as { access_token?: string };
    const token = response.ok && tokens.access_token ? await deps.provider().AccessToken.find(tokens.access_token) : undefined;
    const accountId = (token as { accountId?: string } | undefined)?.accountId;
    if (!accountId) return page(ctx, 400, { errorKey: 'entry.declined' });
    const facility = await deps.facility(code.facilityId);
    if (!facility) return page(ctx, 400, { errorKey: 'code_expired' });
    const personId = await persons.selfPerson(accountId);
    const view = await deps.checkins.deviceCode({ id: randomUUID(), facility, kioskId: code.kioskId, direction: code.direction }, personId);
    await deps.codes.used(code.code, view.id);
    await page(ctx, 200, { result: view, facility });
  });

  router.get('/:code', async (ctx) => {
    const code = await deps.codes.find(String(ctx.params.code));
    if (!code) return page(ctx, 404, { errorKey: 'code_expired' });
    const flow: Flow = { state: randomBytes(16).toString('base64url'), verifier: randomBytes(32).toString('base64url'), code: code.code };
    setFlow(ctx, flow);
    const url = new URL(`${deps.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: CHECKIN_CLIENT_ID,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirectUri,
      state: flow.state,
      nonce: randomBytes(16).toString('base64url'),
      code_challenge: createHash('sha256').update(flow.verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ui_locales: ctx.acceptsLanguages('ja', 'en') === 'en' ? 'en' : 'ja',
    }).toString();
    ctx.redirect(url.toString());
  });

  return router;
}
