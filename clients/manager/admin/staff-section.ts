/**
 * /manager/staff: who works at a facility and with which role. A facility admin assigns and
 * removes staff and admins of their own facility; a municipal admin does so for every facility of
 * the municipality and manages the municipal admins too (never removing the last one). Facility
 * staff see the list only.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { StaffMember } from '../../../src/manager/admin/staff-roles.ts';
import { withQuery } from '../manager-api.ts';
import type { ManagerSection } from '../sections.ts';
import { ADMIN_MESSAGES } from './messages.ts';
import { STYLES, chooseFacility, field, fill, noticeOf, refusal } from './page-kit.ts';

const API = '/api/manager/admin';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DONE = ['staff.assigned', 'staff.removed'];

export const staffSection: ManagerSection = {
  id: 'staff',
  navKey: 'staff.nav',
  path: '/staff',
  roles: ['facility_staff', 'facility_admin', 'municipal_admin'],
  messages: ADMIN_MESSAGES,
  routes(env) {
    const router = new Router();

    async function show(ctx: Context, requested: unknown, extra: { error?: string; status?: number } = {}): Promise<void> {
      const staff = env.staff(ctx);
      const facility = chooseFacility(staff.principal, requested);
      if (!facility) return env.refuse(ctx, 403, 'admin.nofacility');
      const answer = await staff.api.get<{ staff: StaffMember[] }>(`${API}/facilities/${facility.id}/staff`);
      if (!answer.ok) return env.refuse(ctx, answer.status, refusal(staff, answer));
      const cities = [...new Set(staff.principal.assignments.filter((a) => a.role === 'municipal_admin').map((a) => a.municipalityCode))];
      const admins: Array<{ code: string; name: string; members: StaffMember[] }> = [];
      for (const code of cities) {
        const list = await staff.api.get<{ municipality: { name: { ja: string; en: string } }; admins: StaffMember[] }>(`${API}/municipalities/${code}/admins`);
        if (list.ok) admins.push({ code, name: list.body.municipality.name[staff.lang], members: list.body.admins });
      }
      await env.render(ctx, 'admin/staff', {
        title: staff.t('staff.title'),
        styles: STYLES,
        section: 'staff',
        facility,
        facilities: staff.principal.facilities,
        members: answer.body.staff,
        admins,
        self: staff.principal.accountId,
        fill,
        notice: noticeOf(ctx, staff, DONE),
        error: extra.error ?? null,
        here: withQuery('/manager/staff/', { facility: facility.id }),
      });
      if (extra.status) ctx.status = extra.status;
    }

    router.get('/', async (ctx) => show(ctx, ctx.query.facility));

    router.post('/assign', env.form, async (ctx) => {
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const facility = field(ctx, 'facility');
      const answer = await staff.api.post(`${API}/facilities/${encodeURIComponent(facility)}/staff`, { email: field(ctx, 'email'), role: field(ctx, 'role') });
      if (!answer.ok) return show(ctx, facility, { error: refusal(staff, answer), status: answer.status });
      env.seeOther(ctx, withQuery('/manager/staff/', { facility, done: 'staff.assigned' }));
    });

    router.post('/remove', env.form, async (ctx) => {
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const facility = field(ctx, 'facility');
      const accountId = field(ctx, 'accountId');
      if (!UUID.test(accountId)) return show(ctx, facility, { error: staff.t('admin.failed'), status: 400 });
      const answer = await staff.api.delete(`${API}/facilities/${encodeURIComponent(facility)}/staff/${accountId}`);
      if (!answer.ok) return show(ctx, facility, { error: refusal(staff, answer), status: answer.status });
      env.seeOther(ctx, withQuery('/manager/staff/', { facility, done: 'staff.removed' }));
    });

    router.post('/admins', env.form, async (ctx) => {
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const facility = field(ctx, 'facility');
      const code = field(ctx, 'municipality');
      if (!/^\d{6}$/.test(code)) return show(ctx, facility, { error: staff.t('admin.failed'), status: 400 });
      const answer = await staff.api.post(`${API}/municipalities/${code}/admins`, { email: field(ctx, 'email') });
      if (!answer.ok) return show(ctx, facility, { error: refusal(staff, answer), status: answer.status });
      env.seeOther(ctx, withQuery('/manager/staff/', { facility, done: 'staff.assigned' }));
    });

    router.post('/admins/remove', env.form, async (ctx) => {
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const facility = field(ctx, 'facility');
      const code = field(ctx, 'municipality');
      const accountId = field(ctx, 'accountId');
      if (!/^\d{6}$/.test(code) || !UUID.test(accountId)) return show(ctx, facility, { error: staff.t('admin.failed'), status: 400 });
      const answer = await staff.api.delete(`${API}/municipalities/${code}/admins/${accountId}`);
      if (!answer.ok) return show(ctx, facility, { error: refusal(staff, answer), status: answer.status });
      env.seeOther(ctx, withQuery('/manager/staff/', { facility, done: 'staff.removed' }));
    });

    return router;
  },
};
