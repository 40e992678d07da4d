/**
 * The wallet's presentation pages in the PASS app: /app/wallet/present, the wallet's OpenID4VP
 * authorization endpoint (a verifier's page sends the resident here), and /app/wallet/history.
 * The server checks the request and draws the page; which credential answers it, what exactly the
 * verifier will receive, the presentation itself (signed by the device key) and the direct_post to
 * the verifier — or, for a PASS kiosk, the QR code for its camera — all happen in the phone's
 * browser (static/present-page.js), like receiving does. The page checks the request again itself,
 * from its own address, so the service worker's copy of it (/app/wallet/present/offline, kept for
 * the signed-in resident) answers a kiosk with no network. docs/wallet.md, "Presenting (OpenID4VP)".
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { translator, type Lang } from '../../../src/http/i18n.ts';
import { APP_MESSAGES } from '../messages.ts';
import { FAMILY_APP_MESSAGES } from '../family/messages.ts';
import type { FeatureKit } from '../feature-kit.ts';
import { walletHolderTag, WALLET_CREDENTIALS } from '../wallet/routes.ts';
import { WALLET_BASE } from '../wallet/section.ts';
import { PRESENT_OFFLINE_PAGE } from '../wallet/pwa.ts';
import { readPresentationRequest, type PresentationRequest, type RequestProblem } from './request.ts';
import { PRESENT_APP_MESSAGES } from './messages.ts';

const MESSAGES = { ...APP_MESSAGES, ...FAMILY_APP_MESSAGES };
export const PRESENT_PATH = `${WALLET_BASE}/present`;
export const HISTORY_PATH = `${WALLET_BASE}/history`;
const PROBLEMS = Object.keys(PRESENT_APP_MESSAGES).filter((key): key is RequestProblem => key.startsWith('present.bad.') && key !== 'present.bad.heading' && key !== 'present.bad.nothing');

/** JSON for a <script type="application/json"> block: nothing in it can close the element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** The words the page scripts need, in the page's language. */
function scriptWords(lang: Lang, allowHttp: boolean): Record<string, unknown> {
  const t = translator(MESSAGES, lang);
  const keys = (names: string[], prefix: string) => Object.fromEntries(names.map((name) => [name, t(`${prefix}${name}`)]));
  return {
    lang,
    types: Object.fromEntries(Object.entries(WALLET_CREDENTIALS).map(([id, vct]) => [vct, t(`wallet.type.${id}`)])),
    facts: { ...keys(['name', 'birthdate', 'gender', 'address', 'resident_of'], 'fact.'), verification: t('wallet.js.verification') },
    genders: keys(['male', 'female'], 'gender.'),
    wallet: keys(['yes', 'no', 'age_over', 'for'], 'wallet.js.'),
    self: t('wallet.receive.self'),
    words: keys(
      ['none', 'choose', 'always', 'sending', 'failed', 'refused', 'declined', 'unsupported', 'result.sent', 'result.declined', 'result.failed', 'when', 'facts', 'nothing', 'shown', 'by_qr'],
      'present.js.',
    ),
    labels: { to: t('present.to'), origin: t('present.origin') },
    kiosk: t('present.kiosk'),
    unnamed: t('present.unnamed'),
    // The page checks the request itself (offline too) and words its refusal like the server's page.
    problems: Object.fromEntries(PROBLEMS.map((key) => [key, t(key)])),
    allowHttp,
  };
}

/**
 * The page may reach the verifier's response URI (its direct_post), and only that origin beside
 * its own: the app's policy is `connect-src 'self'`.
 */
function allowResponseOrigin(ctx: Context, origin: string): void {
  const policy = ctx.response.get('Content-Security-Policy');
  if (typeof policy === 'string' && policy) ctx.set('Content-Security-Policy', policy.replace("connect-src 'self'", `connect-src 'self' ${origin}`));
}

function verifierName(request: PresentationRequest, lang: Lang): string | undefined {
  return request.names[lang] ?? request.names.default ?? request.names.ja ?? request.names.en;
}

/** The approval page; `request` absent for the offline copy, which the page fills from its own address. */
async function approvalPage(kit: FeatureKit, ctx: Context, sub: string, request: PresentationRequest | undefined): Promise<void> {
  const lang = kit.lang(ctx);
  const t = translator(MESSAGES, lang);
  const kiosk = request?.mode === 'qr';
  const named = request && verifierName(request, lang);
  await kit.page(ctx, 'present/present', MESSAGES, PRESENT_PATH, {
    holder: walletHolderTag(sub),
    kiosk,
    name: kiosk ? t('present.kiosk') : (named ?? t('present.unnamed')),
    facility: kiosk ? (named ?? '') : '',
    origin: request?.origin ?? '',
    words: scriptJson(scriptWords(lang, !kit.production)),
  });
}

export function presentAppRoutes(kit: FeatureKit): Router {
  const router = new Router({ prefix: WALLET_BASE });

  router.get('/present', async (ctx) => {
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    // The request is checked before anything else, signed in or not: a bad one is answered alike.
    const read = readPresentationRequest(ctx.query, { allowHttp: !kit.production });
    if (!read.ok) {
      ctx.status = 400;
      return kit.page(ctx, 'present/request-refused', MESSAGES, PRESENT_PATH, { error: t(read.problem) });
    }
    const s = await kit.signedIn(ctx, 'wallet', false, { returnHere: true });
    if (!s) return;
    const { request } = read;
    // A kiosk's answer goes by QR code: the page reaches nothing beyond its own origin.
    if (request.origin) allowResponseOrigin(ctx, request.origin);
    await approvalPage(kit, ctx, s.data.user!.sub, request);
  });

  router.get(PRESENT_OFFLINE_PAGE.slice(WALLET_BASE.length), async (ctx) => {
    const s = await kit.signedIn(ctx, 'wallet', false, { returnHere: true });
    if (!s) return;
    await approvalPage(kit, ctx, s.data.user!.sub, undefined);
  });

  router.get('/history', async (ctx) => {
    const s = await kit.signedIn(ctx, 'wallet', false, { returnHere: true });
    if (!s) return;
    await kit.page(ctx, 'present/sharing-history', MESSAGES, HISTORY_PATH, { holder: walletHolderTag(s.data.user!.sub), words: scriptJson(scriptWords(kit.lang(ctx), !kit.production)) });
  });

  return router;
}
