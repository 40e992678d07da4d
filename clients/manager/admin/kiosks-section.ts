/**
 * /manager/kiosks: a facility's kiosks and their last contact; any staff member of the facility
 * connects a new kiosk by typing the code on its screen (then confirms, as on PASS's own device
 * page, or cancels, which refuses the kiosk); a facility or municipal admin revokes a kiosk.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { KioskView } from '../../../src/manager/admin/kiosk-approvals.ts';
import { withQuery } from '../manager-api.ts';
import type { ManagerSection } from '../sections.ts';
import { ADMIN_MESSAGES } from './messages.ts';
import { STYLES, chooseFacility, field, fill, noticeOf, refusal } from './page-kit.ts';

const API = '/api/manager/admin';
const CODE_SHOWN = /^[A-Z]{4}-[A-Z]{4}$/;

export const kiosksSection: ManagerSection = {
  id: 'kiosks',
  navKey: 'kiosks.nav',
  path: '/kiosks',
  roles: ['facility_staff', 'facility_admin', 'municipal_admin'],
  messages: ADMIN_MESSAGES,
  routes(env) {
    const router = new Router();

    async function list(ctx: Context, requested: unknown, extra: { error?: string; status?: number; userCode?: string } = {}): Promise<void> {
      const staff = env.staff(ctx);
      const facility = chooseFacility(staff.principal, requested);
      if (!facility) return env.refuse(ctx, 403, 'admin.nofacility');
      const answer = await staff.api.get<{ kiosks: KioskView[] }>(`${API}/facilities/${facility.id}/kiosks`);
      if (!answer.ok) return env.refuse(ctx, answer.status, refusal(staff, answer));
      const code = typeof ctx.query.code === 'string' && CODE_SHOWN.test(ctx.query.code) ? ctx.query.code : '';
      const notice = ctx.query.done === 'kiosks.approved' && code ? fill(staff.t('kiosks.approved'), code) : noticeOf(ctx, staff, ['kiosks.revoked.done']);
      await env.render(ctx, 'admin/kiosks', {
        title: staff.t('kiosks.title'),
        styles: STYLES,
        section: 'kiosks',
        facility,
        facilities: staff.principal.facilities,
        kiosks: answer.body.kiosks,
        userCode: extra.userCode ?? '',
        notice,
        error: extra.error ?? null,
        fill,
        here: withQuery('/manager/kiosks/', { facility: facility.id }),
      });
      if (extra.status) ctx.status = extra.status;
    }

    router.get('/', async (ctx) => list(ctx, ctx.query.facility));

    router.post('/preview', env.form, async (ctx) => {
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const facility = chooseFacility(staff.principal, field(ctx, 'facility'));
      if (!facility || facility.id !== field(ctx, 'facility')) return env.refuse(ctx, 403, 'refused.facility');
      const userCode = field(ctx, 'userCode');
      const answer = await staff.api.post<{ device: { userCode: string; clientName: string; expiresAt: string } }>(`${API}/facilities/${facility.id}/kiosks/preview`, { userCode });
      if (!answer.ok) return list(ctx, facility.id, { error: refusal(staff, answer), status: answer.status, userCode });
      await env.render(ctx, 'admin/kiosk-confirm', {
        title: staff.t('kiosks.confirm.title'),
        styles: STYLES,
        section: 'kiosks',
        facility,
        device: answer.body.device,
        here: withQuery('/manager/kiosks/', { facility: facility.id }),
      });
    });

    router.post('/approve', env.form, async (ctx) => {
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const facility = chooseFacility(staff.principal, field(ctx, 'facility'));
      if (!facility || facility.id !== field(ctx, 'facility')) return env.refuse(ctx, 403, 'refused.facility');
      const userCode = field(ctx, 'userCode');
      if (field(ctx, 'decision') !== 'connect') {
        await staff.api.post(`${API}/facilities/${facility.id}/kiosks/deny`, { userCode });
        return env.seeOther(ctx, withQuery('/manager/kiosks/', { facility: facility.id }));
      }
      const answer = await staff.api.post<{ approved: { userCode: string } }>(`${API}/facilities/${facility.id}/kiosks/approve`, { userCode });
      if (!answer.ok) return list(ctx, facility.id, { error: refusal(staff, answer), status: answer.status });
      env.seeOther(ctx, withQuery('/manager/kiosks/', { facility: facility.id, done: 'kiosks.approved', code: answer.body.approved.userCode }));
    });

    router.post('/:kioskId/revoke', env.form, async (ctx) => {
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const kioskId = String(ctx.params.kioskId);
      if (!/^kiosk-[A-Za-z0-9_-]{1,40}$/.test(kioskId)) return env.refuse(ctx, 404, 'error.notfound');
      const answer = await staff.api.post(`${API}/kiosks/${kioskId}/revoke`);
      const facility = field(ctx, 'facility');
      if (!answer.ok) return list(ctx, facility, { error: refusal(staff, answer), status: answer.status });
      env.seeOther(ctx, withQuery('/manager/kiosks/', { facility, done: 'kiosks.revoked.done' }));
    });

    return router;
  },
};
