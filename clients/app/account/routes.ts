/**
 * The PASS app's account screens (/app/account), over PASS's /api/account with the resident's
 * access token:
 * - the overview: e-mail address, mobile number, a password that is never shown, and links;
 * - a new e-mail address or mobile number: the address → PASS sends a code to it (the pending
 *   address waits in the sealed app session) → the code → changed; the app session's user follows;
 * - the password: the current one and a new one; PASS forgets every remembered device.
 * PASS's refusals are shown in the page's language (its reason catalogue); a mobile number may be
 * typed with hyphens or spaces (PASS normalises it).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import { translator, type Lang } from '../../../src/http/i18n.ts';
import { APP_MESSAGES } from '../messages.ts';
import type { FeatureKit, SignedIn } from '../feature-kit.ts';
import { refusalText } from '../pass-api.ts';
import { normaliseCode } from '../security/routes.ts';
import { SECURITY_BASE } from '../security/section.ts';
import { ACCOUNT_APP_MESSAGES } from './messages.ts';
import { ACCOUNT_BASE } from './section.ts';

export { ACCOUNT_BASE };
const API = '/api/account';
const MESSAGES = { ...APP_MESSAGES, ...ACCOUNT_APP_MESSAGES };
const FLOW = 'account';
const form = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '4kb' });

/** GET /api/account. */
export interface AccountOverview {
  email: string;
  phone_number: string | null;
  phone_display: string | null;
  phone_masked: string | null;
  phone_verified: boolean;
}

/** A change waiting for its code: where the code went (masked, as the page repeats it). */
interface Pending {
  value: string;
  sentTo: string;
}

interface AccountFlow {
  email?: Pending;
  phone?: Pending;
  /** After a mobile number change: how many remembered devices stay (the overview's notice says so). */
  devices?: number;
}

type Session = SignedIn<AccountFlow>;
type Kind = 'email' | 'phone';

function field(ctx: Context, name: string, max = 256): string {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

const texts = (lang: Lang) => translator(MESSAGES, lang);

export function accountAppRoutes(kit: FeatureKit): Router {
  const router = new Router({ prefix: ACCOUNT_BASE });

  async function overview(s: Session): Promise<AccountOverview | undefined> {
    const answer = await kit.api.call<AccountOverview>(s.token, 'GET', API);
    return answer.ok && typeof answer.body.email === 'string' ? answer.body : undefined;
  }

  router.get('/', async (ctx) => {
    const s = await kit.signedIn<AccountFlow>(ctx, FLOW);
    if (!s) return;
    const t = texts(kit.lang(ctx));
    const account = await overview(s);
    const done = ctx.query.done;
    let notice: string | null = null;
    if (done === 'email' || done === 'password') notice = t(`account.done.${done}`);
    if (done === 'phone') {
      const devices = s.flow?.devices ?? 0;
      notice = devices > 0 ? `${t('account.done.phone')} ${t('account.done.phone.devices').replace('{n}', String(devices))}` : t('account.done.phone');
    }
    if (!account) ctx.status = 502;
    await kit.page(ctx, 'account/account', MESSAGES, ACCOUNT_BASE, {
      account,
      base: ACCOUNT_BASE,
      securityHref: SECURITY_BASE,
      notice,
      error: account ? null : t('account.error.load'),
    });
  });

  /** The first step of a change: the new address or number. */
  async function startPage(ctx: Context, s: Session, kind: Kind, feedback: { error?: string | null; value?: string } = {}, status = 200): Promise<void> {
    const account = await overview(s);
    ctx.status = status;
    await kit.page(ctx, `account/account-${kind}`, MESSAGES, `${ACCOUNT_BASE}/${kind}`, {
      csrf: kit.csrf(s),
      base: ACCOUNT_BASE,
      current: kind === 'email' ? (account?.email ?? null) : (account?.phone_display ?? null),
      value: feedback.value ?? '',
      error: feedback.error ?? null,
    });
  }

  /** The code page of a pending change. */
  async function codePage(ctx: Context, s: Session, kind: Kind, pending: Pending, error: string | null = null, status = 200): Promise<void> {
    const t = texts(kit.lang(ctx));
    ctx.status = status;
    await kit.page(ctx, 'account/account-code', MESSAGES, `${ACCOUNT_BASE}/${kind}/code`, {
      csrf: kit.csrf(s),
      base: ACCOUNT_BASE,
      kind,
      lead: t(`account.code.${kind}.lead`).replace('{to}', pending.sentTo),
      error,
    });
  }

  for (const kind of ['email', 'phone'] as const) {
    router.get(`/${kind}`, async (ctx) => {
      const s = await kit.signedIn<AccountFlow>(ctx, FLOW);
      if (s) await startPage(ctx, s, kind);
    });

    router.post(`/${kind}`, form, async (ctx) => {
      const s = await kit.signedIn<AccountFlow>(ctx, FLOW);
      if (!s) return;
      const lang = kit.lang(ctx);
      const t = texts(lang);
      const value = field(ctx, kind).trim();
      if (!kit.csrfOk(ctx, s)) return startPage(ctx, s, kind, { error: t('account.error.form'), value }, 403);
      if (!value) return startPage(ctx, s, kind, { error: t(kind === 'email' ? 'account.email.invalid' : 'account.phone.missing') }, 400);
      const answer = await kit.api.call<{ sent_to?: string }>(s.token, 'POST', `${API}/${kind}`, { json: { [kind]: value, lang } });
      if (!answer.ok || typeof answer.body.sent_to !== 'string') return startPage(ctx, s, kind, { error: refusalText(answer, lang, t('account.error.generic')), value }, answer.ok ? 502 : answer.status);
      await kit.saveFlow(s, FLOW, { ...s.flow, [kind]: { value, sentTo: answer.body.sent_to } });
      kit.seeOther(ctx, `${ACCOUNT_BASE}/${kind}/code`);
    });

    router.get(`/${kind}/code`, async (ctx) => {
      const s = await kit.signedIn<AccountFlow>(ctx, FLOW);
      if (!s) return;
      const pending = s.flow?.[kind];
      if (!pending) return ctx.redirect(`${ACCOUNT_BASE}/${kind}`);
      await codePage(ctx, s, kind, pending);
    });

    router.post(`/${kind}/code`, form, async (ctx) => {
      const s = await kit.signedIn<AccountFlow>(ctx, FLOW);
      if (!s) return;
      const lang = kit.lang(ctx);
      const t = texts(lang);
      const pending = s.flow?.[kind];
      if (!pending) return kit.seeOther(ctx, `${ACCOUNT_BASE}/${kind}`);
      if (!kit.csrfOk(ctx, s)) return codePage(ctx, s, kind, pending, t('account.error.form'), 403);
      const code = normaliseCode(field(ctx, 'code', 20));
      if (!code) return codePage(ctx, s, kind, pending, t('account.code.format'), 400);
      const answer = await kit.api.call<{ email?: string; phone_number?: string; remembered_devices?: number }>(s.token, 'POST', `${API}/${kind}/confirm`, {
        json: { [kind]: pending.value, code, lang },
      });
      if (!answer.ok) return codePage(ctx, s, kind, pending, refusalText(answer, lang, t('account.error.generic')), answer.status);
      // The app session's user follows the change (the home screen shows it), and the pending change goes.
      const user = { ...s.data.user!, ...(kind === 'email' && answer.body.email ? { email: answer.body.email } : {}), ...(kind === 'phone' && answer.body.phone_number ? { phoneNumber: answer.body.phone_number } : {}) };
      await kit.updateSession(s, { user });
      const rest: AccountFlow = { ...s.flow };
      delete rest[kind];
      if (kind === 'phone') rest.devices = Number(answer.body.remembered_devices ?? 0);
      await kit.saveFlow(s, FLOW, rest);
      kit.seeOther(ctx, `${ACCOUNT_BASE}?done=${kind}`);
    });
  }

  async function passwordPage(ctx: Context, s: Session, error: string | null = null, status = 200): Promise<void> {
    ctx.status = status;
    await kit.page(ctx, 'account/account-password', MESSAGES, `${ACCOUNT_BASE}/password`, { csrf: kit.csrf(s), base: ACCOUNT_BASE, error });
  }

  router.get('/password', async (ctx) => {
    const s = await kit.signedIn<AccountFlow>(ctx, FLOW);
    if (s) await passwordPage(ctx, s);
  });

  router.post('/password', form, async (ctx) => {
    const s = await kit.signedIn<AccountFlow>(ctx, FLOW);
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = texts(lang);
    if (!kit.csrfOk(ctx, s)) return passwordPage(ctx, s, t('account.error.form'), 403);
    const current = field(ctx, 'current_password', 1024);
    const next = field(ctx, 'new_password', 1024);
    if (!current || !next) return passwordPage(ctx, s, t('account.password.missing'), 400);
    const answer = await kit.api.call(s.token, 'POST', `${API}/password`, { json: { current_password: current, new_password: next, lang } });
    if (!answer.ok) return passwordPage(ctx, s, refusalText(answer, lang, t('account.error.generic')), answer.status);
    kit.seeOther(ctx, `${ACCOUNT_BASE}?done=password`);
  });

  return router;
}
