/**
 * /manager/facilities: the facilities of the staff member and their claim policies; an admin of a
 * facility edits its policy (one choice per catalog item: not asked, required or optional), and
 * only a municipal admin the way subjects are shared. Everyone else sees it read-only. The same
 * admins choose what the facility's kiosks show in public (name and age rules) and its
 * presentation-attack detection policy for face check-ins (off, record, required).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { ManagerSection } from '../sections.ts';
import { ADMIN_MESSAGES } from './messages.ts';
import { STYLES, field, noticeOf, refusal } from './page-kit.ts';

interface Policy {
  required: string[];
  optional: string[];
  purposeJa: string;
  purposeEn: string;
  retentionDays: number;
  sector: string;
  subjectType: 'pairwise' | 'public';
}

interface FacilityJson {
  id: string;
  municipalityCode: string;
  kind: string;
  name: { ja: string; en: string };
  administer: boolean;
  policy: Policy | null;
}

interface KioskDisplay {
  name: string;
  age: string;
}

interface PadPolicySetting {
  policy: 'off' | 'record' | 'required';
}

interface WalletPolicySetting {
  statusListMaxAgeSeconds: number;
}

/** The choices the form offers (seconds); a value set through the API alone is shown as it is. */
export const WALLET_AGE_CHOICES = [300, 3600, 21600, 86400, 259200, 604800];

interface CatalogUnit {
  unit: string;
  label: { ja: string; en: string };
}

const API = '/api/manager/admin/facilities';
const FACILITY = /^[a-z0-9-]{3,64}$/;

export const facilitiesSection: ManagerSection = {
  id: 'facilities',
  navKey: 'facilities.nav',
  path: '/facilities',
  roles: ['facility_staff', 'facility_admin', 'municipal_admin'],
  messages: ADMIN_MESSAGES,
  routes(env) {
    const router = new Router();

    router.get('/', async (ctx) => {
      const staff = env.staff(ctx);
      const answer = await staff.api.get<{ facilities: FacilityJson[]; catalog: CatalogUnit[] }>(API);
      if (!answer.ok) return env.refuse(ctx, answer.status, refusal(staff, answer));
      await env.render(ctx, 'admin/facilities', {
        title: staff.t('facilities.title'),
        styles: STYLES,
        section: 'facilities',
        facilities: answer.body.facilities,
        labels: Object.fromEntries(answer.body.catalog.map((c) => [c.unit, c.label[staff.lang]])),
      });
    });

    async function show(ctx: Context, id: string, extra: { error?: string; draft?: Policy; blocking?: string[]; status?: number } = {}): Promise<void> {
      const staff = env.staff(ctx);
      const [answer, display, pad, wallet] = await Promise.all([
        staff.api.get<{ facility: FacilityJson; catalog: CatalogUnit[] }>(`${API}/${id}`),
        staff.api.get<KioskDisplay>(`${API}/${id}/kiosk-display`),
        staff.api.get<PadPolicySetting>(`${API}/${id}/pad-policy`),
        staff.api.get<WalletPolicySetting>(`${API}/${id}/wallet-policy`),
      ]);
      if (!answer.ok) return env.refuse(ctx, answer.status, refusal(staff, answer));
      const facility = answer.body.facility;
      const municipal = staff.principal.assignments.some((a) => a.role === 'municipal_admin' && a.municipalityCode === facility.municipalityCode);
      await env.render(ctx, 'admin/facility', {
        title: facility.name[staff.lang],
        styles: STYLES,
        section: 'facilities',
        facility,
        policy: extra.draft ? { ...facility.policy, ...extra.draft } : facility.policy,
        catalog: answer.body.catalog,
        municipal,
        blocking: extra.blocking ?? [],
        display: display.ok ? { name: display.body.name, age: display.body.age } : null,
        pad: pad.ok ? { policy: pad.body.policy } : null,
        wallet: wallet.ok ? { maxAge: wallet.body.statusListMaxAgeSeconds, choices: WALLET_AGE_CHOICES } : null,
        error: extra.error ?? null,
        notice: noticeOf(ctx, staff, ['facilities.saved', 'facilities.display.saved', 'facilities.pad.saved', 'facilities.wallet.saved']),
        here: `/manager/facilities/${id}`,
      });
      if (extra.status) ctx.status = extra.status;
    }

    router.get('/:facilityId', async (ctx) => {
      const id = String(ctx.params.facilityId);
      if (!FACILITY.test(id)) return env.refuse(ctx, 404, 'error.notfound');
      await show(ctx, id);
    });

    router.post('/:facilityId', env.form, async (ctx) => {
      const id = String(ctx.params.facilityId);
      if (!FACILITY.test(id)) return env.refuse(ctx, 404, 'error.notfound');
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const body = ctx.request.body as Record<string, unknown>;
      const required: string[] = [];
      const optional: string[] = [];
      // `use-<unit>`: the form parser reads dots in names as nesting.
      for (const [key, value] of Object.entries(body)) {
        if (!key.startsWith('use-')) continue;
        if (value === 'required') required.push(key.slice(4));
        else if (value === 'optional') optional.push(key.slice(4));
      }
      const retention = Number(field(ctx, 'retentionDays'));
      const draft = {
        required,
        optional,
        purposeJa: field(ctx, 'purposeJa'),
        purposeEn: field(ctx, 'purposeEn'),
        retentionDays: Number.isFinite(retention) ? retention : 0,
        ...(field(ctx, 'subjectType') ? { subjectType: field(ctx, 'subjectType') } : {}),
        ...(field(ctx, 'sector') ? { sector: field(ctx, 'sector') } : {}),
      };
      const answer = await staff.api.post<{ clients?: string[] }>(`${API}/${id}/claim-policy`, draft);
      if (answer.ok) return env.seeOther(ctx, `/manager/facilities/${id}?done=facilities.saved`);
      await show(ctx, id, { error: refusal(staff, answer), draft: draft as unknown as Policy, blocking: answer.body.clients ?? [], status: answer.status });
    });

    router.post('/:facilityId/kiosk-display', env.form, async (ctx) => {
      const id = String(ctx.params.facilityId);
      if (!FACILITY.test(id)) return env.refuse(ctx, 404, 'error.notfound');
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const answer = await staff.api.post(`${API}/${id}/kiosk-display`, { name: field(ctx, 'displayName'), age: field(ctx, 'displayAge') });
      if (answer.ok) return env.seeOther(ctx, `/manager/facilities/${id}?done=facilities.display.saved`);
      await show(ctx, id, { error: refusal(staff, answer), status: answer.status });
    });

    router.post('/:facilityId/pad-policy', env.form, async (ctx) => {
      const id = String(ctx.params.facilityId);
      if (!FACILITY.test(id)) return env.refuse(ctx, 404, 'error.notfound');
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const answer = await staff.api.post(`${API}/${id}/pad-policy`, { policy: field(ctx, 'padPolicy') });
      if (answer.ok) return env.seeOther(ctx, `/manager/facilities/${id}?done=facilities.pad.saved`);
      await show(ctx, id, { error: refusal(staff, answer), status: answer.status });
    });

    router.post('/:facilityId/wallet-policy', env.form, async (ctx) => {
      const id = String(ctx.params.facilityId);
      if (!FACILITY.test(id)) return env.refuse(ctx, 404, 'error.notfound');
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      // The API validates the number; a non-number reaches it as NaN and is refused in its words.
      const answer = await staff.api.post(`${API}/${id}/wallet-policy`, { statusListMaxAgeSeconds: Number(field(ctx, 'statusListMaxAge')) });
      if (answer.ok) return env.seeOther(ctx, `/manager/facilities/${id}?done=facilities.wallet.saved`);
      await show(ctx, id, { error: refusal(staff, answer), status: answer.status });
    });

    return router;
  },
};
