/**
 * The PASS app's wallet screen (/app/wallet). The phone is the holder, not this server: the page's
 * scripts (static/wallet-*.js) keep the credentials and the device key in the browser's IndexedDB
 * and run OpenID4VCI themselves, so a credential is bound to a key that never leaves the phone.
 * This server only renders the shell (the words, whom the resident may receive credentials for)
 * and asks PASS for a credential offer with the resident's token (POST /app/wallet/offer), since
 * the token never reaches the browser. docs/wallet.md, "Holder (PASS app)".
 */
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import { translator, type Lang } from '../../../src/http/i18n.ts';
import { APP_MESSAGES } from '../messages.ts';
import { FAMILY_APP_MESSAGES } from '../family/messages.ts';
import type { FeatureKit, SignedIn } from '../feature-kit.ts';
import { refusalText, type CredentialOffer } from '../pass-api.ts';
import { loadVerification } from '../proofing/section.ts';
import { PASS_APP_CLIENT_ID } from '../client.ts';
import { WALLET_APP_MESSAGES } from './messages.ts';
import { WALLET_BASE } from './section.ts';

const MESSAGES = { ...APP_MESSAGES, ...FAMILY_APP_MESSAGES, ...WALLET_APP_MESSAGES };

/** The credential configurations of PASS's issuer (docs/wallet.md), in the order the page offers them, with their types. */
export const WALLET_CREDENTIALS = {
  pass_age: 'urn:pass:vct:age:1',
  pass_residency: 'urn:pass:vct:residency:1',
  pass_verified_resident: 'urn:pass:vct:verified-resident:1',
} as const;
export type CredentialConfigurationId = keyof typeof WALLET_CREDENTIALS;
const CONFIGURATION_IDS = Object.keys(WALLET_CREDENTIALS) as CredentialConfigurationId[];

const PRE_AUTHORIZED = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const json = koaBody({ urlencoded: false, json: true, multipart: false, text: false, jsonLimit: '1kb' });

/**
 * Which wallet in this browser is the signed-in resident's: one IndexedDB database per account, so
 * a second resident signing in on a shared phone sees none of the first one's credentials. A hash,
 * so the page (and its offline copy) carries no account identifier.
 */
export function walletHolderTag(sub: string): string {
  return createHash('sha256').update(`pass-wallet\u0000${sub}`).digest('base64url').slice(0, 22);
}

/** An offer the page can redeem: from this PASS, for the one configuration asked, with a pre-authorized code. */
export function usableOffer(offer: unknown, issuer: string, configurationId: string): offer is CredentialOffer {
  if (!offer || typeof offer !== 'object') return false;
  const o = offer as Partial<CredentialOffer>;
  const code = o.grants?.[PRE_AUTHORIZED]?.['pre-authorized_code'];
  return (
    o.credential_issuer === issuer &&
    Array.isArray(o.credential_configuration_ids) &&
    o.credential_configuration_ids.length === 1 &&
    o.credential_configuration_ids[0] === configurationId &&
    typeof code === 'string' &&
    code.length > 0 &&
    code.length <= 512
  );
}

interface Member {
  person_id: string;
  relation: string;
  name: string | null;
}

/** The words the page's script needs, in the page's language (it draws credentials also offline, from the cached page). */
function scriptWords(lang: Lang, municipalities: Record<string, string>): Record<string, unknown> {
  const t = translator(MESSAGES, lang);
  const pick = (keys: string[], prefix = '') => Object.fromEntries(keys.map((k) => [k, t(`${prefix}${k}`)]));
  return {
    lang,
    types: Object.fromEntries(CONFIGURATION_IDS.map((id) => [WALLET_CREDENTIALS[id], t(`wallet.type.${id}`)])),
    facts: { ...pick(['name', 'birthdate', 'gender', 'address', 'resident_of'], 'fact.'), verification: t('wallet.js.verification') },
    genders: pick(['male', 'female'], 'gender.'),
    words: pick(
      [
        'receiving', 'received', 'failed', 'offline', 'for', 'issuer', 'issued', 'expires', 'status', 'status.valid', 'status.expired', 'status.revoked',
        'status.unknown', 'status.checked', 'place', 'facts', 'yes', 'no', 'age_over', 'remove', 'remove.confirm', 'verification.card',
      ],
      'wallet.js.',
    ),
    self: t('wallet.receive.self'),
    municipalities,
  };
}

export function walletAppRoutes(kit: FeatureKit, issuer: string): Router {
  const router = new Router({ prefix: WALLET_BASE });

  router.get('/', async (ctx) => {
    const s = await kit.signedIn(ctx, 'wallet');
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    const [verification, household, facilities] = await Promise.all([
      loadVerification(kit.api, s.token),
      kit.api.call<{ representative?: boolean; members?: Member[] }>(s.token, 'GET', '/api/households/me'),
      kit.api.call<{ municipalities?: Array<{ code: string; name: { ja: string; en: string } }> }>(s.token, 'GET', '/api/facilities'),
    ]);
    // A representative receives credentials for the members they represent (PASS decides again at the offer).
    const members = household.ok && household.body.representative ? (household.body.members ?? []).filter((m) => m.relation !== 'representative' && UUID.test(m.person_id)) : [];
    const municipalities = Object.fromEntries((facilities.ok ? (facilities.body.municipalities ?? []) : []).map((m) => [m.code, m.name[lang]]));
    const kinds = CONFIGURATION_IDS.map((id) => ({ id, label: t(`wallet.type.${id}`), text: t(`wallet.type.${id}.text`) }));
    const people = [
      { personId: null, who: t('wallet.receive.self'), key: 'self' },
      ...members.map((m) => ({ personId: m.person_id, who: t('wallet.receive.member').replace('{name}', m.name ?? '—'), key: m.person_id })),
    ];
    await kit.page(ctx, 'wallet/wallet', MESSAGES, WALLET_BASE, {
      csrf: kit.csrf(s),
      proofed: verification?.verified === true,
      kinds,
      people,
      holder: walletHolderTag(s.data.user!.sub),
      issuer,
      offerUrl: `${WALLET_BASE}/offer`,
      clientId: PASS_APP_CLIENT_ID,
      words: JSON.stringify(scriptWords(lang, municipalities)).replace(/</g, '\\u003c'),
    });
  });

  /** A credential offer for the page to redeem: `{credential_configuration_id, person_id?}` with the X-CSRF-Token header. */
  router.post('/offer', json, async (ctx) => {
    const s = (await kit.signedIn(ctx, 'wallet', true)) as SignedIn<unknown> | undefined;
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    ctx.set('Cache-Control', 'no-store');
    if (!s) {
      ctx.body = { error: 'unauthorized', reason: 'signed_out', message: t('wallet.error.signedout') };
      return;
    }
    const refuse = (status: number, error: string, message: string) => {
      ctx.status = status;
      ctx.body = { error, message };
    };
    if (!kit.csrfOk(ctx, s)) return refuse(403, 'csrf', t('wallet.error.form'));
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const configurationId = body.credential_configuration_id;
    const personId = body.person_id;
    if (typeof configurationId !== 'string' || !(CONFIGURATION_IDS as string[]).includes(configurationId) || (personId !== undefined && personId !== null && (typeof personId !== 'string' || !UUID.test(personId)))) {
      return refuse(400, 'invalid_request', t('wallet.error.invalid'));
    }
    const answer = await kit.api.walletOffer(s.token, configurationId, typeof personId === 'string' ? personId : undefined);
    if (!answer.ok) return refuse(answer.status === 401 ? 401 : answer.status >= 500 ? 502 : answer.status, answer.body.error ?? 'offer_refused', refusalText(answer, lang, t('wallet.error.offer')));
    if (!usableOffer(answer.body.credential_offer, issuer, configurationId)) return refuse(502, 'offer_invalid', t('wallet.error.offer'));
    ctx.body = { credential_offer: answer.body.credential_offer };
  });

  return router;
}
