/**
 * /manager/kiosks: a facility's kiosks, their last contact and state (online, offline, closed,
 * revoked); any staff member of the facility connects a new kiosk by typing the code on its screen
 * (then confirms, as on PASS's own device page, or cancels, which refuses the kiosk); a facility or
 * municipal admin renames a kiosk, and revokes one after a confirmation page that says what
 * revoking does (nothing happens until its button is pressed). Any staff member of the facility
 * connects a kiosk's card reader: 「カードリーダーを接続」 shows a one-time code for that kiosk, which
 * is typed on the kiosk's screen (docs/card.md, "Pairing").
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { KioskView } from '../../../src/manager/admin/kiosk-approvals.ts';
import type { ManagerFacility } from '../../../src/manager/staff-scope.ts';
import { withQuery } from '../manager-api.ts';
import type { ManagerSection } from '../sections.ts';
import { ADMIN_MESSAGES } from './messages.ts';
import { STYLES, chooseFacility, field, fill, noticeOf, refusal } from './page-kit.ts';

const API = '/api/manager/admin';
const CODE_SHOWN = /^[A-Z]{4}-[A-Z]{4}$/;
const KIOSK_ID = /^kiosk-[A-Za-z0-9_-]{1,40}$/;

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
      const notice = ctx.query.done === 'kiosks.approved' && code ? fill(staff.t('kiosks.approved'), code) : noticeOf(ctx, staff, ['kiosks.revoked.done', 'kiosks.renamed']);
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

    /** The kiosk a rename or revoke page is about, from its facility's list (the API decides who may see it). */
    async function kioskOf(ctx: Context, requested: unknown): Promise<{ facility: ManagerFacility; kiosk: KioskView } | undefined> {
      const staff = env.staff(ctx);
      const kioskId = String(ctx.params.kioskId);
      const facility = chooseFacility(staff.principal, requested);
      if (!KIOSK_ID.test(kioskId) || !facility || facility.id !== requested) {
        await env.refuse(ctx, 404, 'error.notfound');
        return undefined;
      }
      // Renaming and revoking are an admin's; the API says so too, this only spares a useless form.
      if (!facility.administer) {
        await env.refuse(ctx, 403, 'refused.role');
        return undefined;
      }
      const answer = await staff.api.get<{ kiosks: KioskView[] }>(`${API}/facilities/${facility.id}/kiosks`);
      if (!answer.ok) {
        await env.refuse(ctx, answer.status, refusal(staff, answer));
        return undefined;
      }
      const kiosk = answer.body.kiosks.find((k) => k.id === kioskId && !k.revokedAt);
      if (!kiosk) {
        await env.refuse(ctx, 404, 'error.notfound');
        return undefined;
      }
      return { facility, kiosk };
    }

    async function renamePage(ctx: Context, found: { facility: ManagerFacility; kiosk: KioskView }, name: string, error?: string): Promise<void> {
      const staff = env.staff(ctx);
      await env.render(ctx, 'admin/kiosk-rename', {
        title: staff.t('kiosks.rename.title'),
        styles: STYLES,
        section: 'kiosks',
        ...found,
        name,
        error: error ?? null,
        back: withQuery('/manager/kiosks/', { facility: found.facility.id }),
      });
    }

    router.get('/:kioskId/rename', async (ctx) => {
      const found = await kioskOf(ctx, ctx.query.facility);
      if (found) await renamePage(ctx, found, found.kiosk.name);
    });

    router.post('/:kioskId/rename', env.form, async (ctx) => {
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const found = await kioskOf(ctx, field(ctx, 'facility'));
      if (!found) return;
      const name = field(ctx, 'name');
      const answer = await staff.api.post(`${API}/kiosks/${found.kiosk.id}/name`, { name });
      if (!answer.ok) {
        await renamePage(ctx, found, name, refusal(staff, answer));
        ctx.status = answer.status;
        return;
      }
      env.seeOther(ctx, withQuery('/manager/kiosks/', { facility: found.facility.id, done: 'kiosks.renamed' }));
    });

    // A POST (with the CSRF token): each press makes a new code and is audited, so no link or reload makes one.
    router.post('/:kioskId/card-reader', env.form, async (ctx) => {
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const kioskId = String(ctx.params.kioskId);
      const facility = chooseFacility(staff.principal, field(ctx, 'facility'));
      if (!KIOSK_ID.test(kioskId) || !facility || facility.id !== field(ctx, 'facility')) return env.refuse(ctx, 404, 'error.notfound');
      const answer = await staff.api.post<{ code: string; expiresAt: string; kiosk: KioskView }>(`${API}/kiosks/${kioskId}/card-reader-code`);
      if (!answer.ok) return list(ctx, facility.id, { error: refusal(staff, answer), status: answer.status });
      ctx.set('Cache-Control', 'no-store');
      await env.render(ctx, 'admin/kiosk-card-reader', {
        title: staff.t('kiosks.reader.title'),
        styles: STYLES,
        section: 'kiosks',
        facility,
        kiosk: answer.body.kiosk,
        code: answer.body.code,
        expiresAt: answer.body.expiresAt,
        fill,
        back: withQuery('/manager/kiosks/', { facility: facility.id }),
      });
    });

    // 「停止する」 in the list only opens this page; the kiosk stops when its button is pressed.
    router.get('/:kioskId/revoke', async (ctx) => {
      const found = await kioskOf(ctx, ctx.query.facility);
      if (!found) return;
      const staff = env.staff(ctx);
      await env.render(ctx, 'admin/kiosk-revoke', {
        title: staff.t('kiosks.revoke.title'),
        styles: STYLES,
        section: 'kiosks',
        ...found,
        fill,
        back: withQuery('/manager/kiosks/', { facility: found.facility.id }),
      });
    });

    router.post('/:kioskId/revoke', env.form, async (ctx) => {
      if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
      const staff = env.staff(ctx);
      const kioskId = String(ctx.params.kioskId);
      if (!KIOSK_ID.test(kioskId)) return env.refuse(ctx, 404, 'error.notfound');
      const answer = await staff.api.post(`${API}/kiosks/${kioskId}/revoke`);
      const facility = field(ctx, 'facility');
      if (!answer.ok) return list(ctx, facility, { error: refusal(staff, answer), status: answer.status });
      env.seeOther(ctx, withQuery('/manager/kiosks/', { facility, done: 'kiosks.revoked.done' }));
    });

    return router;
  },
};
