/**
 * Facility registration screens of the PASS app (/app/facilities): municipality → facility → who
 * (self, family members) and which facts → a review of exactly what will be given, with the
 * values → consent → 利用中. The registrations list shows each one with what it gives (or gave,
 * once withdrawn) and lets the resident (or the representative, for a member) withdraw consent
 * after a confirmation page that says what withdrawing does. A resident whose identity is not
 * proven yet is told so at the start, with a link to identity proofing, before any consent screen.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import { translator, type Lang } from '../../../src/http/i18n.ts';
import type { FeatureKit, SignedIn } from '../feature-kit.ts';
import { refusalText } from '../pass-api.ts';
import { formatDate, formatDateTime } from '../format.ts';
import { MESSAGES } from '../family/routes.ts';
import { loadVerification } from '../proofing/section.ts';

const BASE = '/app/facilities';
const FACILITY_ID = /^[a-z0-9-]{3,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLAIM = /^[a-z_0-9]{2,40}$/;
/** Where the resident proves their identity. */
const PROOFING = '/app/identity';
/** Facts the account itself holds; every other fact needs the verified identity (as PASS's registration rule). */
const needsIdentity = (claim: string) => claim !== 'email' && claim !== 'phone_number';

type Session = SignedIn<unknown>;
type Localised = { ja: string; en: string };
interface Policy {
  required: string[];
  optional: string[];
  purpose: Localised;
  retention_days: number;
  labels: Record<string, Localised>;
}
interface FacilityJson {
  id: string;
  name: Localised;
  policy: Policy | null;
}
interface RegistrationJson {
  id: string;
  person_id: string;
  facility_id: string;
  status: string;
  claims: string[];
  withdrawn_at: string | null;
}
interface MunicipalityJson {
  code: string;
  name: Localised;
  facilities: FacilityJson[];
}

const form = koaBody({ urlencoded: true, json: false, multipart: false, text: false, formLimit: '8kb' });

function list(ctx: Context, name: string, pattern: RegExp): string[] {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string' && pattern.test(v)).slice(0, 30);
}

/** A claim's value as the review shows it. */
function display(value: unknown, lang: Lang): string {
  const t = translator(MESSAGES, lang);
  if (value === undefined || value === null) return t('facilities.unavailable');
  if (typeof value === 'boolean') return t(value ? 'facilities.yes' : 'facilities.no');
  if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}$/.test(value) ? formatDate(value, lang) : value;
  if (typeof value === 'number') return String(value);
  const v = value as Record<string, unknown>;
  if (typeof v.formatted === 'string') return v.formatted;
  if (typeof v.method === 'string') return t(v.method === 'jpki_signature' ? 'family.assurance.high' : 'family.assurance.low');
  return Object.values(v).filter((x) => typeof x === 'string').join(' / ');
}

export function facilityAppRoutes(kit: FeatureKit): Router {
  const router = new Router({ prefix: BASE });

  async function catalog(s: Session): Promise<MunicipalityJson[]> {
    const answer = await kit.api.call<{ municipalities: MunicipalityJson[] }>(s.token, 'GET', '/api/facilities');
    return answer.ok ? answer.body.municipalities : [];
  }

  async function persons(s: Session): Promise<Array<{ id: string; relation: string; name: string }>> {
    const answer = await kit.api.call<{ members: Array<Record<string, any>> }>(s.token, 'GET', '/api/households/me');
    return answer.ok ? answer.body.members.map((m) => ({ id: String(m.person_id), relation: String(m.relation), name: m.name ? String(m.name) : '—' })) : [];
  }

  async function home(ctx: Context, s: Session, problem: string | null = null, status = 200): Promise<void> {
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    const [municipalities, people, registrations, proofing] = await Promise.all([
      catalog(s),
      persons(s),
      kit.api.call<{ registrations: RegistrationJson[] }>(s.token, 'GET', '/api/registrations'),
      loadVerification(kit.api, s.token),
    ]);
    const facilities = new Map(municipalities.flatMap((m) => m.facilities.map((f) => [f.id, f] as const)));
    ctx.status = status;
    await kit.page(ctx, 'facilities/facilities', MESSAGES, `${BASE}/`, {
      csrf: kit.csrf(s),
      error: problem,
      notice: ctx.query.registered ? t('facilities.registered') : ctx.query.withdrawn ? t('facilities.withdrawn') : null,
      municipalities: municipalities.map((m) => ({ code: m.code, name: m.name[lang] })),
      // Told at the start: registering needs the identity proven (undefined: PASS did not say, the consent will).
      unproofed: proofing !== undefined && !proofing.verified,
      proofingHref: PROOFING,
      registrations: (registrations.ok ? registrations.body.registrations : []).map((r) => {
        const facility = facilities.get(r.facility_id);
        return {
          id: r.id,
          active: r.status === 'active',
          facility: facility?.name[lang] ?? r.facility_id,
          person: people.find((p) => p.id === r.person_id)?.name ?? '—',
          claims: r.claims.map((c) => facility?.policy?.labels[c]?.[lang] ?? c).join(lang === 'ja' ? '、' : ', '),
          withdrawnAt: r.withdrawn_at ? formatDateTime(r.withdrawn_at, lang) : null,
        };
      }),
    });
  }

  router.get('/', async (ctx) => {
    const s = await kit.signedIn(ctx, 'facilities');
    if (s) await home(ctx, s);
  });

  router.get('/m/:code', async (ctx) => {
    const s = await kit.signedIn(ctx, 'facilities');
    if (!s) return;
    const lang = kit.lang(ctx);
    const m = (await catalog(s)).find((x) => x.code === ctx.params.code);
    if (!m) return kit.seeOther(ctx, BASE);
    await kit.page(ctx, 'facilities/facilities-municipality', MESSAGES, `${BASE}/m/${m.code}`, {
      municipality: m.name[lang],
      facilities: m.facilities.filter((f) => f.policy).map((f) => ({ id: f.id, name: f.name[lang] })),
    });
  });

  async function facilityPage(ctx: Context, s: Session, id: string, problem: string | null = null, status = 200): Promise<void> {
    const lang = kit.lang(ctx);
    const facility = (await catalog(s)).flatMap((m) => m.facilities).find((f) => f.id === id);
    if (!facility?.policy) return kit.seeOther(ctx, BASE);
    const p = facility.policy;
    const proofing = await loadVerification(kit.api, s.token);
    const unproofed = proofing !== undefined && !proofing.verified;
    ctx.status = status;
    await kit.page(ctx, 'facilities/facilities-facility', MESSAGES, `${BASE}/f/${id}`, {
      csrf: kit.csrf(s),
      error: problem,
      // Before any consent screen: facts of the verified identity need the identity proven first.
      proofingFirst: unproofed && p.required.some(needsIdentity) ? PROOFING : null,
      proofingLater: unproofed && !p.required.some(needsIdentity) && p.optional.some(needsIdentity) ? PROOFING : null,
      facility: { id, name: facility.name[lang], purpose: p.purpose[lang], retention: p.retention_days },
      persons: await persons(s),
      claims: [...p.required.map((c) => ({ id: c, required: true })), ...p.optional.map((c) => ({ id: c, required: false }))].map((c) => ({ ...c, label: p.labels[c.id]?.[lang] ?? c.id })),
    });
  }

  router.get('/f/:id', async (ctx) => {
    const s = await kit.signedIn(ctx, 'facilities');
    if (s && FACILITY_ID.test(String(ctx.params.id))) await facilityPage(ctx, s, String(ctx.params.id));
  });

  router.post('/f/:id/review', form, async (ctx) => {
    const s = await kit.signedIn(ctx, 'facilities');
    if (!s) return;
    const id = String(ctx.params.id);
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    if (!FACILITY_ID.test(id) || !kit.csrfOk(ctx, s)) return kit.seeOther(ctx, BASE);
    const chosen = { person_ids: list(ctx, 'persons', UUID), claims: list(ctx, 'claims', CLAIM) };
    if (chosen.person_ids.length === 0) return facilityPage(ctx, s, id, t('family.error'), 400);
    const review = await kit.api.call<Record<string, any>>(s.token, 'POST', `/api/facilities/${id}/review`, { json: chosen });
    if (!review.ok) return facilityPage(ctx, s, id, refusalText(review, lang, t('family.error')), review.status);
    const people = await persons(s);
    const facility = (await catalog(s)).flatMap((m) => m.facilities).find((f) => f.id === id)!;
    await kit.page(ctx, 'facilities/facilities-review', MESSAGES, `${BASE}/f/${id}`, {
      csrf: kit.csrf(s),
      facility: { id, name: facility.name[lang], purpose: review.body.purpose[lang], retention: review.body.retention_days },
      claims: chosen.claims,
      persons: (review.body.persons as Array<Record<string, any>>).map((p) => ({
        id: String(p.person_id),
        name: people.find((x) => x.id === p.person_id)?.name ?? '—',
        facts: (review.body.claims as Array<{ claim: string; label: Localised }>).map((c) => ({ id: c.claim, label: c.label[lang], value: display(p.values[c.claim], lang) })),
      })),
    });
  });

  router.post('/f/:id/consent', form, async (ctx) => {
    const s = await kit.signedIn(ctx, 'facilities');
    if (!s) return;
    const id = String(ctx.params.id);
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    if (!FACILITY_ID.test(id) || !kit.csrfOk(ctx, s)) return kit.seeOther(ctx, BASE);
    const claims = list(ctx, 'claims', CLAIM);
    for (const personId of list(ctx, 'persons', UUID)) {
      const done = await kit.api.call(s.token, 'POST', '/api/registrations', { json: { facility_id: id, person_id: personId, claims } });
      if (!done.ok) return home(ctx, s, refusalText(done, lang, t('family.error')), done.status);
    }
    kit.seeOther(ctx, `${BASE}/?registered=1`);
  });

  /** The confirmation before withdrawing: what the facility gets now, and what withdrawing does. */
  router.get('/r/:id/withdraw', async (ctx) => {
    const s = await kit.signedIn(ctx, 'facilities');
    if (!s) return;
    const lang = kit.lang(ctx);
    const t = translator(MESSAGES, lang);
    const id = String(ctx.params.id);
    const [registrations, municipalities, people] = await Promise.all([
      UUID.test(id) ? kit.api.call<{ registrations: RegistrationJson[] }>(s.token, 'GET', '/api/registrations') : undefined,
      catalog(s),
      persons(s),
    ]);
    const registration = registrations?.ok ? registrations.body.registrations.find((r) => r.id === id && r.status === 'active') : undefined;
    if (!registration) return home(ctx, s, t('facilities.withdraw.missing'), 404);
    const facility = municipalities.flatMap((m) => m.facilities).find((f) => f.id === registration.facility_id);
    const facilityName = facility?.name[lang] ?? registration.facility_id;
    const person = people.find((p) => p.id === registration.person_id)?.name ?? '—';
    await kit.page(ctx, 'facilities/facilities-withdraw', MESSAGES, `${BASE}/r/${id}/withdraw`, {
      csrf: kit.csrf(s),
      id,
      lead: t('facilities.withdraw.lead').replace('{facility}', facilityName).replace('{person}', person),
      facility: facilityName,
      person,
      claims: registration.claims.map((c) => facility?.policy?.labels[c]?.[lang] ?? c),
    });
  });

  router.post('/r/:id/withdraw', form, async (ctx) => {
    const s = await kit.signedIn(ctx, 'facilities');
    if (!s) return;
    const t = translator(MESSAGES, kit.lang(ctx));
    const id = String(ctx.params.id);
    if (!UUID.test(id) || !kit.csrfOk(ctx, s)) return home(ctx, s, t('family.error'), 400);
    const done = await kit.api.call(s.token, 'POST', `/api/registrations/${id}/withdraw`);
    if (!done.ok) return home(ctx, s, refusalText(done, kit.lang(ctx), t('family.error')), done.status);
    kit.seeOther(ctx, `${BASE}/?withdrawn=1`);
  });

  return router;
}
