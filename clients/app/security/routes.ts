/**
 * The PASS app's sign-in and security screen (/app/account/security), over PASS's
 * /api/account/security with the resident's access token:
 * - passkeys: listed (name, added, last used, synced or this device only); added in the browser
 *   with @simplewebauthn/browser (static/app-security.js fetches the creation options from
 *   POST passkeys/options and posts the RegistrationResponseJSON to POST passkeys, both JSON with
 *   the X-CSRF-Token header); deleted after a confirmation page. Without WebAuthn (or without
 *   script) the add button stays hidden and a note says this browser cannot use passkeys.
 * - the authenticator app (TOTP): POST totp starts an enrollment; the setup page shows the secret
 *   (grouped base32) and a QR code of the otpauth URI drawn here, and a code confirms it. The
 *   pending secret waits in the (sealed) app session so a wrong code shows the same QR code again.
 *   Removed after a confirmation page.
 * - remembered devices: forgotten one by one or all at once.
 * - the masked mobile number that receives SMS codes.
 * Also the 「あとで」 of the home screen's passkey offer (a flag in the app session), and the app's
 * own static files (/app/static/: the page script and the WebAuthn browser library).
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { koaBody } from 'koa-body';
import QRCode from 'qrcode';
import { translator, type Lang } from '../../../src/http/i18n.ts';
import { staticFiles } from '../../../src/http/static-files.ts';
import { APP_MESSAGES } from '../messages.ts';
import { formatDateTime } from '../format.ts';
import type { FeatureKit, SignedIn } from '../feature-kit.ts';
import { refusalText, type ApiAnswer } from '../pass-api.ts';
import { SECURITY_APP_MESSAGES } from './messages.ts';
import { loadSecurity, SECURITY_BASE, SECURITY_FLOW, type SecurityFlow, type SecurityOverview } from './section.ts';

const BASE = SECURITY_BASE;
const API = '/api/account/security';
const MESSAGES = { ...APP_MESSAGES, ...SECURITY_APP_MESSAGES };
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The contract's limit on a passkey's name. */
export const PASSKEY_NAME_MAX = 64;
const DONE = new Set(['passkey-added', 'passkey-removed', 'totp-confirmed', 'totp-removed', 'device-revoked', 'devices-revoked']);

const form = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '4kb' });
/** A RegistrationResponseJSON is a few kilobytes (more with an attestation certificate chain). */
const json = koaBody({ urlencoded: false, json: true, multipart: false, text: false, jsonLimit: '64kb' });

const CLIENT_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** @simplewebauthn/browser's browser build (global SimpleWebAuthnBrowser); its package exports no subpaths, so found from its main file. */
const WEBAUTHN_BROWSER = path.join(path.dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js');

/** The base32 secret in groups of four, as people type it into an authenticator app. */
export function groupSecret(secret: string): string {
  return (secret.replace(/[\s=]/g, '').toUpperCase().match(/.{1,4}/g) ?? []).join(' ');
}

/** A code as typed: full-width digits (Japanese input) and spaces or hyphens allowed; six digits or undefined. */
export function normaliseCode(value: string): string | undefined {
  const code = value.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/[\s\-－ー]/g, '');
  return /^\d{6}$/.test(code) ? code : undefined;
}

function field(ctx: Context, name: string, max = 200): string {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

type Session = SignedIn<SecurityFlow>;

/** The flow with no pending enrollment (confirmed or removed). */
function withoutTotp(flow: SecurityFlow | undefined): SecurityFlow {
  const rest = { ...flow };
  delete rest.totp;
  return rest;
}

/** The app's own static files under /app/static/: clients/app/static and the WebAuthn browser library. */
export function appStaticFiles(): Middleware {
  return staticFiles({
    dir: path.join(CLIENT_DIR, 'static'),
    prefix: '/app/static/',
    cacheControl: 'no-cache',
    also: { 'simplewebauthn-browser.js': WEBAUTHN_BROWSER },
  });
}

export function securityAppRoutes(kit: FeatureKit): Router {
  const router = new Router({ prefix: BASE });
  const texts = (lang: Lang) => translator(MESSAGES, lang);

  async function mainPage(ctx: Context, s: Session, feedback: { error?: string | null; notice?: string | null } = {}, status = 200): Promise<void> {
    const lang = kit.lang(ctx);
    const t = texts(lang);
    const overview = await kit.api.call<SecurityOverview>(s.token, 'GET', API);
    const state = overview.ok && Array.isArray(overview.body.passkeys) ? overview.body : null;
    const when = (value: string | null | undefined) => (value ? formatDateTime(value, lang) : null);
    ctx.status = state ? status : overview.ok ? 502 : overview.status;
    await kit.page(ctx, 'security/security', MESSAGES, BASE, {
      csrf: kit.csrf(s),
      base: BASE,
      error: feedback.error ?? (state ? null : refusalText(overview, lang, t('security.error.load'))),
      notice: feedback.notice ?? null,
      state: state && {
        strong: state.strong === true,
        passkeys: state.passkeys.map((p) => ({
          id: p.id,
          name: p.name || t('security.passkey.unnamed'),
          created: when(p.created_at),
          used: when(p.last_used_at),
          synced: p.backed_up === true,
        })),
        totp: {
          confirmed: Boolean(state.totp?.confirmed_at),
          confirmedAt: when(state.totp?.confirmed_at),
          pending: state.totp?.enrolled === true && !state.totp.confirmed_at,
          // The setup page can be shown again only while this session holds the secret.
          resumable: Boolean(s.flow?.totp),
        },
        devices: state.devices.map((d) => ({
          id: d.id,
          label: d.label || t('security.device.unnamed'),
          factor: d.factor === 'sms' || d.factor === 'otp' ? d.factor : null,
          since: when(d.created_at),
          used: when(d.last_used_at),
          until: when(d.expires_at),
        })),
        devicesLead: t('security.devices.lead').replace('{days}', String(state.remember_days)),
        phone: { masked: state.phone?.masked ?? null, verified: state.phone?.verified === true },
      },
      script: {
        optionsUrl: `${BASE}/passkeys/options`,
        registerUrl: `${BASE}/passkeys`,
        nameMax: PASSKEY_NAME_MAX,
        msgStarting: t('security.passkey.starting'),
        msgWaiting: t('security.passkey.waiting'),
        msgSaving: t('security.passkey.saving'),
        msgCancelled: t('security.passkey.cancelled'),
        msgExists: t('security.passkey.exists'),
        msgAuthenticator: t('security.passkey.authenticator'),
        msgSecurity: t('security.passkey.security'),
        msgFailed: t('security.passkey.failed'),
        msgExpired: t('security.error.form'),
      },
    });
  }

  router.get('/', async (ctx) => {
    const s = await kit.signedIn<SecurityFlow>(ctx, SECURITY_FLOW);
    if (!s) return;
    const done = typeof ctx.query.done === 'string' && DONE.has(ctx.query.done) ? texts(kit.lang(ctx))(`security.done.${ctx.query.done}`) : null;
    await mainPage(ctx, s, { notice: done });
  });

  /** A JSON answer to the page script: ok with data, or the reason and a text to show. */
  function scriptRefusal(ctx: Context, status: number, reason: string, message: string): void {
    ctx.status = status;
    ctx.body = { ok: false, reason, message };
  }

  /** Creation options for a new passkey (the script passes them to startRegistration). */
  router.post('/passkeys/options', async (ctx) => {
    const s = await kit.signedIn<SecurityFlow>(ctx, SECURITY_FLOW, true);
    if (!s) return;
    const t = texts(kit.lang(ctx));
    if (!kit.csrfOk(ctx, s)) return scriptRefusal(ctx, 403, 'csrf', t('security.error.form'));
    const answer = await kit.api.call(s.token, 'POST', `${API}/passkeys/options`);
    if (!answer.ok) return scriptRefusal(ctx, answer.status, answer.body.reason ?? answer.body.error ?? 'server_error', refusalText(answer, kit.lang(ctx), t('security.passkey.failed')));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { ok: true, options: answer.body };
  });

  /** The authenticator's answer ({ response: RegistrationResponseJSON, name? }), verified and stored by PASS. */
  router.post('/passkeys', json, async (ctx) => {
    const s = await kit.signedIn<SecurityFlow>(ctx, SECURITY_FLOW, true);
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = texts(lang);
    if (!kit.csrfOk(ctx, s)) return scriptRefusal(ctx, 403, 'csrf', t('security.error.form'));
    const body = (ctx.request.body ?? {}) as { response?: unknown; name?: unknown };
    if (!body.response || typeof body.response !== 'object' || Array.isArray(body.response)) return scriptRefusal(ctx, 400, 'invalid_request', t('security.passkey.failed'));
    const name = typeof body.name === 'string' ? body.name.trim().slice(0, PASSKEY_NAME_MAX) : '';
    const answer = await kit.api.call(s.token, 'POST', `${API}/passkeys`, { json: { response: body.response, ...(name ? { name } : {}) } });
    if (!answer.ok) return scriptRefusal(ctx, answer.status, answer.body.reason ?? answer.body.error ?? 'server_error', refusalText(answer, lang, t('security.passkey.failed')));
    ctx.status = 201;
    ctx.body = { ok: true, next: `${BASE}?done=passkey-added`, message: t('security.done.passkey-added') };
  });

  /** The passkey named by :id in the account's list, or undefined after showing the main page with an error. */
  async function findPasskey(ctx: Context, s: Session): Promise<{ passkey: SecurityOverview['passkeys'][number]; overview: SecurityOverview } | undefined> {
    const t = texts(kit.lang(ctx));
    const id = String(ctx.params.id ?? '');
    const overview = ID.test(id) ? await loadSecurity(kit.api, s.token) : undefined;
    const passkey = overview?.passkeys.find((p) => p.id === id);
    if (overview && passkey) return { passkey, overview };
    await mainPage(ctx, s, { error: t('security.error.missing') }, 404);
    return undefined;
  }

  router.get('/passkeys/:id/delete', async (ctx) => {
    const s = await kit.signedIn<SecurityFlow>(ctx, SECURITY_FLOW);
    if (!s) return;
    const found = await findPasskey(ctx, s);
    if (!found) return;
    const t = texts(kit.lang(ctx));
    const { passkey, overview } = found;
    await kit.page(ctx, 'security/security-passkey-delete', MESSAGES, `${BASE}/passkeys/${passkey.id}/delete`, {
      csrf: kit.csrf(s),
      base: BASE,
      id: passkey.id,
      lead: t('security.passkey.delete.lead').replace('{name}', passkey.name || t('security.passkey.unnamed')),
      // The last strong factor: staff would lose PASS Manager.
      weakens: overview.passkeys.length === 1 && !overview.totp.confirmed_at,
    });
  });

  /**
   * A removal the resident confirmed (a passkey, the authenticator app, remembered devices): the
   * form's CSRF token, the id when there is one, PASS's DELETE, then back to the page with a notice.
   */
  async function removal(ctx: Context, target: { path: (id: string) => string; id?: boolean; done: string; after?: (s: Session) => Promise<void> }): Promise<void> {
    const s = await kit.signedIn<SecurityFlow>(ctx, SECURITY_FLOW);
    if (!s) return;
    const t = texts(kit.lang(ctx));
    if (!kit.csrfOk(ctx, s)) return mainPage(ctx, s, { error: t('security.error.form') }, 403);
    const id = String(ctx.params.id ?? '');
    if (target.id && !ID.test(id)) return mainPage(ctx, s, { error: t('security.error.missing') }, 404);
    const answer = await kit.api.call(s.token, 'DELETE', `${API}${target.path(encodeURIComponent(id))}`);
    if (!answer.ok) return mainPage(ctx, s, { error: refusalText(answer, kit.lang(ctx), t(answer.status === 404 && target.id ? 'security.error.missing' : 'security.error.generic')) }, answer.status);
    await target.after?.(s);
    kit.seeOther(ctx, `${BASE}?done=${target.done}`);
  }

  router.post('/passkeys/:id/delete', form, (ctx) => removal(ctx, { path: (id) => `/passkeys/${id}`, id: true, done: 'passkey-removed' }));

  /** Starts (or restarts) an authenticator app enrollment; the setup page shows it. */
  router.post('/totp', form, async (ctx) => {
    const s = await kit.signedIn<SecurityFlow>(ctx, SECURITY_FLOW);
    if (!s) return;
    const t = texts(kit.lang(ctx));
    if (!kit.csrfOk(ctx, s)) return mainPage(ctx, s, { error: t('security.error.form') }, 403);
    const answer = await kit.api.call<{ secret?: unknown; otpauth_uri?: unknown }>(s.token, 'POST', `${API}/totp`);
    const { secret, otpauth_uri: uri } = answer.body;
    if (!answer.ok || typeof secret !== 'string' || typeof uri !== 'string' || !uri.startsWith('otpauth://')) {
      return mainPage(ctx, s, { error: refusalText(answer, kit.lang(ctx), t('security.error.generic')) }, answer.ok ? 502 : answer.status);
    }
    await kit.saveFlow(s, SECURITY_FLOW, { ...s.flow, totp: { secret, uri } });
    kit.seeOther(ctx, `${BASE}/totp`);
  });

  async function totpPage(ctx: Context, s: Session, pending: NonNullable<SecurityFlow['totp']>, error: string | null = null, status = 200): Promise<void> {
    const overview = await loadSecurity(kit.api, s.token);
    ctx.status = status;
    await kit.page(ctx, 'security/security-totp', MESSAGES, `${BASE}/totp`, {
      csrf: kit.csrf(s),
      base: BASE,
      error,
      secret: groupSecret(pending.secret),
      qr: await QRCode.toDataURL(pending.uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 }),
      // A confirmed authenticator keeps working until the new one is confirmed.
      replacing: Boolean(overview?.totp.confirmed_at),
    });
  }

  router.get('/totp', async (ctx) => {
    const s = await kit.signedIn<SecurityFlow>(ctx, SECURITY_FLOW);
    if (!s) return;
    if (!s.flow?.totp) return ctx.redirect(BASE);
    await totpPage(ctx, s, s.flow.totp);
  });

  router.post('/totp/confirm', form, async (ctx) => {
    const s = await kit.signedIn<SecurityFlow>(ctx, SECURITY_FLOW);
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = texts(lang);
    const pending = s.flow?.totp;
    if (!pending) return kit.seeOther(ctx, BASE);
    if (!kit.csrfOk(ctx, s)) return totpPage(ctx, s, pending, t('security.error.form'), 403);
    const code = normaliseCode(field(ctx, 'code', 20));
    if (!code) return totpPage(ctx, s, pending, t('security.totp.code.format'), 400);
    const answer: ApiAnswer = await kit.api.call(s.token, 'POST', `${API}/totp/confirm`, { json: { code } });
    if (!answer.ok) {
      const fallback = (answer.body.reason ?? answer.body.error) === 'totp_code_invalid' ? t('security.totp.code.invalid') : t('security.error.generic');
      return totpPage(ctx, s, pending, refusalText(answer, lang, fallback), answer.status);
    }
    await kit.saveFlow(s, SECURITY_FLOW, withoutTotp(s.flow));
    kit.seeOther(ctx, `${BASE}?done=totp-confirmed`);
  });

  router.get('/totp/delete', async (ctx) => {
    const s = await kit.signedIn<SecurityFlow>(ctx, SECURITY_FLOW);
    if (!s) return;
    const overview = await loadSecurity(kit.api, s.token);
    if (!overview?.totp.enrolled) return mainPage(ctx, s, { error: texts(kit.lang(ctx))('security.error.missing') }, 404);
    await kit.page(ctx, 'security/security-totp-delete', MESSAGES, `${BASE}/totp/delete`, {
      csrf: kit.csrf(s),
      base: BASE,
      weakens: Boolean(overview.totp.confirmed_at) && overview.passkeys.length === 0,
    });
  });

  router.post('/totp/delete', form, (ctx) =>
    removal(ctx, { path: () => '/totp', done: 'totp-removed', after: async (s) => { if (s.flow?.totp) await kit.saveFlow(s, SECURITY_FLOW, withoutTotp(s.flow)); } }),
  );

  router.post('/devices/:id/revoke', form, (ctx) => removal(ctx, { path: (id) => `/devices/${id}`, id: true, done: 'device-revoked' }));

  router.post('/devices/revoke-all', form, (ctx) => removal(ctx, { path: () => '/devices', done: 'devices-revoked' }));

  /** 「あとで」 on the home screen's passkey offer: hidden for the rest of this app session. */
  router.post('/offer/dismiss', form, async (ctx) => {
    const s = await kit.signedIn<SecurityFlow>(ctx, SECURITY_FLOW);
    if (!s) return;
    if (kit.csrfOk(ctx, s)) await kit.saveFlow(s, SECURITY_FLOW, { ...s.flow, offerDismissed: true });
    kit.seeOther(ctx, '/app/');
  });

  return router;
}
