/**
 * Live alerts: the open (or all recent) refused check-ins, updated in the page as they happen
 * through an event stream (static/alerts.js; the page also works without it), acknowledgement by
 * a form post (or a fetch), the short-lived thumbnail, and for admins the facility's thumbnail
 * setting. The event stream is the API's, passed through (../event-proxy.ts).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Alert } from '../../../src/manager/alerts/alert-service.ts';
import { METHOD_LABELS, REASON_LABELS, japanTime, label, reasonLabel } from '../../../src/manager/labels.ts';
import { proxyEventStream } from '../event-proxy.ts';
import { MANAGER_BASE } from '../paths.ts';
import type { ManagerEnv, ManagerSection } from '../sections.ts';
import { ALERT_MESSAGES } from './messages.ts';

const BASE = `${MANAGER_BASE}/alerts`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FACILITY = /^[a-z0-9-]{3,64}$/;

function facilityParam(ctx: Context): string | undefined {
  const value = ctx.query.facility ?? (ctx.request.body as Record<string, unknown> | undefined)?.facility;
  return typeof value === 'string' && FACILITY.test(value) ? value : undefined;
}

function backTo(facility: string | undefined, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ ...(facility ? { facility } : {}), ...extra }).toString();
  return `${BASE}/${params ? `?${params}` : ''}`;
}

function routes(env: ManagerEnv): Router {
  const router = new Router();

  router.get('/', async (ctx) => {
    const { api, principal, t } = env.staff(ctx);
    const facility = facilityParam(ctx);
    const status = ctx.query.status === 'all' ? 'all' : 'open';
    const answer = await api.get<{ alerts: Alert[] }>('/api/manager/alerts', { facility, status });
    if (answer.status === 403) return env.refuse(ctx, 403, api.refusal(answer, t('refused.facility')));
    // The setting belongs to one facility: the chosen one, or the only one.
    const settingsFacility = facility ?? (principal.facilities.length === 1 ? principal.facilities[0]!.id : undefined);
    const admin = settingsFacility ? principal.facilities.find((f) => f.id === settingsFacility)?.administer === true : false;
    const settings = admin ? await api.get<{ thumbnails: boolean; ttlSeconds: number }>(`/api/manager/facilities/${settingsFacility}/alert-settings`) : undefined;
    const alerts = answer.ok ? answer.body.alerts : [];
    await env.render(ctx, 'alerts/alerts', {
      section: 'alerts',
      scripts: ['alerts.js'],
      facility,
      status,
      alerts,
      since: alerts[0]?.at ?? new Date().toISOString(),
      streamHref: `${BASE}/stream${facility ? `?facility=${facility}` : ''}`,
      settings: settings?.ok ? { facilityId: settingsFacility, ...settings.body } : null,
      error: answer.ok ? null : api.refusal(answer, t('error.unavailable')),
      notice: ctx.query.acked ? t('alerts.acked.notice') : ctx.query.saved ? t('alerts.settings.saved') : null,
      words: { METHOD_LABELS, REASON_LABELS },
      label,
      reasonLabel,
      japanTime,
    });
  });

  router.get('/stream', async (ctx) => {
    const { api } = env.staff(ctx);
    const since = typeof ctx.query.since === 'string' && ctx.query.since.length <= 40 ? ctx.query.since : undefined;
    const lastEventId = ctx.get('Last-Event-ID');
    await proxyEventStream(ctx, env, (signal) =>
      api.raw('/api/manager/alerts/stream', {
        query: { facility: facilityParam(ctx), since },
        headers: { accept: 'text/event-stream', ...(lastEventId && lastEventId.length <= 40 ? { 'last-event-id': lastEventId } : {}) },
        signal,
      }),
    );
  });

  router.post('/:id/ack', env.form, async (ctx) => {
    const { api, t } = env.staff(ctx);
    const id = String(ctx.params.id);
    const json = ctx.get('Accept').includes('application/json');
    if (!UUID.test(id)) return env.refuse(ctx, 404, 'error.notfound');
    if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
    const answer = await api.post<{ alert: Alert }>(`/api/manager/alerts/${id}/ack`);
    if (!answer.ok) return env.refuse(ctx, answer.status === 403 ? 403 : answer.status === 404 ? 404 : 400, api.refusal(answer, t('error.unavailable')));
    if (json) {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = answer.body;
      return;
    }
    env.seeOther(ctx, backTo(facilityParam(ctx), { acked: '1' }));
  });

  router.get('/:id/thumbnail', async (ctx) => {
    const { api } = env.staff(ctx);
    const id = String(ctx.params.id);
    if (!UUID.test(id)) return;
    const upstream = await api.raw(`/api/manager/alerts/${id}/thumbnail`);
    ctx.set('Cache-Control', 'no-store');
    if (!upstream.ok) {
      ctx.status = upstream.status === 403 ? 403 : 404;
      ctx.body = '';
      return;
    }
    ctx.type = 'image/jpeg';
    ctx.body = Buffer.from(await upstream.arrayBuffer());
  });

  router.post('/settings', env.form, async (ctx) => {
    const { api, t } = env.staff(ctx);
    if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
    const body = ctx.request.body as Record<string, unknown>;
    const facility = typeof body.facilityId === 'string' && FACILITY.test(body.facilityId) ? body.facilityId : undefined;
    const minutes = Number(body.minutes);
    if (!facility) return env.refuse(ctx, 400, 'error.notfound');
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) return env.refuse(ctx, 400, t('alerts.settings.invalid'));
    const answer = await api.post(`/api/manager/facilities/${facility}/alert-settings`, { thumbnails: body.thumbnails === 'on', ttlSeconds: minutes * 60 });
    if (!answer.ok) return env.refuse(ctx, answer.status === 403 ? 403 : 400, api.refusal(answer, t('error.unavailable')));
    env.seeOther(ctx, backTo(facilityParam(ctx), { saved: '1' }));
  });

  return router;
}

export const alertsSection: ManagerSection = {
  id: 'alerts',
  navKey: 'nav.alerts',
  path: '/alerts',
  roles: ['facility_staff', 'facility_admin', 'municipal_admin'],
  messages: ALERT_MESSAGES,
  routes,
};
