/**
 * The PASS app's history screen (/app/history): the check-ins of the resident and the household
 * members they manage (where, when, how: face, QR code, card) and each release of their facts to a
 * facility or service (what, to whom, when), from PASS's /api/privacy/history. Newest first, a
 * page at a time for each list (?checkin_page=<cursor>, ?release_page=<cursor>), with a link to the data
 * download that holds the full record.
 */
import Router from '@koa/router';
import { translator, type Lang } from '../../../src/http/i18n.ts';
import { APP_MESSAGES } from '../messages.ts';
import { formatDateTime } from '../format.ts';
import type { FeatureKit, SignedIn } from '../feature-kit.ts';
import { refusalText } from '../pass-api.ts';
import { HISTORY_APP_MESSAGES } from './messages.ts';
import { HISTORY_BASE } from './section.ts';

const MESSAGES = { ...APP_MESSAGES, ...HISTORY_APP_MESSAGES };
/** Entries per list and page: a phone screen's worth. */
export const HISTORY_PAGE = 10;
const CHECKIN_CURSOR = /^\d{1,15}\.[0-9a-f-]{36}$/;
const RELEASE_CURSOR = /^\d{1,18}$/;

type Localised = { ja: string; en: string };

interface CheckinJson {
  id: string;
  person_id: string;
  relation: string | null;
  facility_id: string;
  facility_name: Localised | null;
  method: string;
  result: string;
  direction: string;
  at: string;
}

interface ReleaseJson {
  person_id: string;
  relation: string | null;
  client_id: string;
  client_name: string | null;
  facility_id: string | null;
  facility_name: Localised | null;
  use: string;
  facts: Array<{ unit: string; label: Localised }>;
  at: string;
}

/** 顔認証（入館） / Face (in). */
function bracket(main: string, aside: string, lang: Lang): string {
  return lang === 'ja' ? `${main}（${aside}）` : `${main} (${aside})`;
}

function cursor(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === 'string' && pattern.test(value) ? value : undefined;
}

export function historyAppRoutes(kit: FeatureKit): Router {
  const router = new Router({ prefix: HISTORY_BASE });

  /** Person id → how the screen names them: the member's name from the household, else 「ご本人」. */
  async function people(s: SignedIn<unknown>, lang: Lang): Promise<(personId: string, relation: string | null) => string> {
    const t = translator(MESSAGES, lang);
    const household = await kit.api.call<{ members?: Array<{ person_id: string; relation: string; name: string | null }> }>(s.token, 'GET', '/api/households/me');
    const members = new Map((household.ok ? (household.body.members ?? []) : []).filter((m) => m.relation !== 'representative').map((m) => [m.person_id, m.name]));
    return (personId, relation) => {
      if (members.has(personId)) return members.get(personId) ?? t('history.person.member');
      return relation === 'self' || relation === null ? t('history.person.self') : t('history.person.member');
    };
  }

  router.get('/', async (ctx) => {
    const s = await kit.signedIn(ctx, 'history');
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    const before = { checkin_page: cursor(ctx.query.checkin_page, CHECKIN_CURSOR), release_page: cursor(ctx.query.release_page, RELEASE_CURSOR) };
    const page = (b: string | undefined) => `?limit=${HISTORY_PAGE}${b ? `&before=${encodeURIComponent(b)}` : ''}`;
    const [checkins, releases, who] = await Promise.all([
      kit.api.call<{ checkins: CheckinJson[]; next: string | null }>(s.token, 'GET', `/api/privacy/history/checkins${page(before.checkin_page)}`),
      kit.api.call<{ releases: ReleaseJson[]; next: string | null }>(s.token, 'GET', `/api/privacy/history/releases${page(before.release_page)}`),
      people(s, lang),
    ]);
    const failed = [checkins, releases].find((a) => !a.ok);
    /** The same screen with one list moved on (the other stays where it is), scrolled to that list. */
    const link = (list: keyof typeof before, next: string | null) => {
      const query = new URLSearchParams();
      const other = list === 'checkin_page' ? 'release_page' : 'checkin_page';
      if (next) query.set(list, next);
      if (before[other]) query.set(other, before[other]!);
      const text = query.toString();
      return `${HISTORY_BASE}${text ? `?${text}` : ''}#${list === 'checkin_page' ? 'checkin-list' : 'release-list'}`;
    };
    if (failed) ctx.status = failed.status;
    await kit.page(ctx, 'history/history', MESSAGES, HISTORY_BASE, {
      error: failed ? refusalText(failed, lang, t('history.error.load')) : null,
      lead: t('history.lead').replace('{n}', String(HISTORY_PAGE)),
      checkins: checkins.ok
        ? checkins.body.checkins.map((c) => ({
            when: formatDateTime(c.at, lang),
            where: c.facility_name?.[lang] ?? c.facility_id,
            how: bracket(t(`history.method.${c.method}`), t(`history.direction.${c.direction === 'out' ? 'out' : 'in'}`), lang),
            accepted: c.result === 'accepted',
            result: t(`history.result.${c.result === 'accepted' ? 'accepted' : 'rejected'}`),
            who: who(c.person_id, c.relation),
          }))
        : [],
      releases: releases.ok
        ? releases.body.releases.map((r) => ({
            when: formatDateTime(r.at, lang),
            to: r.client_name ?? r.client_id,
            facility: r.facility_name?.[lang] ?? null,
            facts: r.facts.map((f) => f.label[lang]).join(lang === 'ja' ? '、' : ', '),
            use: t(`history.use.${r.use}`),
            who: who(r.person_id, r.relation),
          }))
        : [],
      more: {
        checkins: checkins.ok && checkins.body.next ? link('checkin_page', checkins.body.next) : null,
        releases: releases.ok && releases.body.next ? link('release_page', releases.body.next) : null,
      },
      newest: { checkins: before.checkin_page ? link('checkin_page', null) : null, releases: before.release_page ? link('release_page', null) : null },
    });
  });

  return router;
}
