/**
 * Live alerts in the Manager API:
 *   GET  /api/manager/alerts                       ?facility&status=open|all&limit → { alerts }
 *   GET  /api/manager/alerts/stream                ?facility&since — Server-Sent Events: `failure` (an Alert,
 *                                                   id = its time, so Last-Event-ID resumes) and `ack`
 *   POST /api/manager/alerts/:id/ack               → { alert }
 *   GET  /api/manager/alerts/:id/thumbnail         image/jpeg while it is kept (audited)
 *   GET|POST /api/manager/facilities/:id/alert-settings   { thumbnails, ttlSeconds } (POST: admins)
 * A stream carries only the events of the facilities its principal may see, rechecked every
 * 30 seconds (a withdrawn assignment or a revoked token ends it).
 */
import Router from '@koa/router';
import { z } from 'zod';
import { ForbiddenError, NotFoundError } from '../../core/errors.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import type { ManagerApiModule } from '../api-modules.ts';
import { jsonBody, MANAGER_API_PREFIX, noStore, parse, staffOf } from '../http/edge.ts';
import { queryValues } from '../history/history-query.ts';
import { facilitiesFor, facilityOf } from '../staff-scope.ts';
import { AlertHub, type HubEvent } from './alert-hub.ts';
import { AlertService } from './alert-service.ts';
import { alertSettingsSchema } from './alert-settings.ts';
import { EventStreams } from './event-stream.ts';

const RECHECK_MS = 30_000;
const facilityId = z.string().regex(/^[a-z0-9-]{3,64}$/);
const checkinId = z.uuid();
const listQuery = z.object({ facility: facilityId.optional(), status: z.enum(['open', 'all']).default('open'), limit: z.coerce.number().int().min(1).max(200).default(50) }).strict();
const streamQuery = z.object({ facility: facilityId.optional(), since: z.iso.datetime({ offset: true }).optional() }).strict();

export const alertsApi: ManagerApiModule = {
  name: 'alerts',
  async start({ platform, oidc, scope, guard, alertThumbnails: { settings, thumbnails } }) {
    const { db, bus, log } = platform;
    const alerts = new AlertService(db, bus, thumbnails);
    const hub = new AlertHub(db, bus, log);
    const streams = new EventStreams();
    await hub.start();

    const router = new Router({ prefix: MANAGER_API_PREFIX });

    router.get('/alerts', ...guard, async (ctx) => {
      const query = parse(listQuery, queryValues(ctx.query));
      noStore(ctx, { alerts: await alerts.list(staffOf(ctx), query) });
    });

    router.get('/alerts/stream', ...guard, async (ctx) => {
      const principal = staffOf(ctx);
      const query = parse(streamQuery, queryValues(ctx.query));
      let visible = new Set(facilitiesFor(principal, query.facility).map((f) => f.id));
      const resumeFrom = ctx.get('Last-Event-ID') || query.since;
      const since = resumeFrom && !Number.isNaN(Date.parse(resumeFrom)) ? new Date(resumeFrom) : undefined;
      const token = ctx.get('Authorization').replace(/^Bearer /, '');
      const stream = streams.open(ctx);
      const sent = new Set<string>();

      const deliver = (event: HubEvent) => {
        if (event.type === 'failure') {
          if (!visible.has(event.alert.facilityId) || sent.has(event.alert.id)) return;
          sent.add(event.alert.id);
          if (sent.size > 1000) sent.delete(sent.values().next().value!);
          stream.send('failure', event.alert, event.alert.at);
        } else if (visible.has(event.ack.facilityId)) stream.send('ack', event.ack);
      };
      // Listen first and hold what arrives while the missed events are read, so nothing falls in between.
      let held: HubEvent[] | undefined = [];
      const unlisten = hub.listen((event) => (held ? held.push(event) : deliver(event)));
      const recheck = setInterval(() => {
        void (async () => {
          const tokenRecord = await oidc.host.provider.AccessToken.find(token);
          const current = tokenRecord && !tokenRecord.isExpired ? await scope.principal(principal.accountId) : undefined;
          if (!current) return stream.close();
          const now = new Set(current.facilities.map((f) => f.id));
          visible = new Set([...visible].filter((id) => now.has(id)));
          if (visible.size === 0) stream.close();
        })().catch((error: unknown) => log.warn({ err: error }, 'Manager stream recheck failed'));
      }, RECHECK_MS);
      recheck.unref();
      stream.onClose(() => {
        unlisten();
        clearInterval(recheck);
      });
      try {
        if (since) for (const alert of await alerts.since([...visible], since)) deliver({ type: 'failure', alert });
      } finally {
        const pending = held;
        held = undefined;
        for (const event of pending) deliver(event);
      }
    });

    router.post('/alerts/:id/ack', ...guard, async (ctx) => {
      const id = parse(checkinId, ctx.params.id);
      noStore(ctx, { alert: await alerts.ack(staffOf(ctx), id) });
    });

    router.get('/alerts/:id/thumbnail', ...guard, async (ctx) => {
      const principal = staffOf(ctx);
      const id = parse(checkinId, ctx.params.id);
      const alert = await alerts.find(principal, id);
      const image = await thumbnails.find(id);
      if (!image) throw new NotFoundError('thumbnail_not_found', 'the thumbnail has expired or was never kept');
      await appendAudit(db, { actorAccountId: principal.accountId, action: 'manager.alert_thumbnail_read', facilityId: alert.facilityId, details: { checkinId: id } });
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'image/jpeg';
      ctx.body = image;
    });

    router.get('/facilities/:id/alert-settings', ...guard, async (ctx) => {
      const facility = facilityOf(staffOf(ctx), parse(facilityId, ctx.params.id));
      noStore(ctx, { facilityId: facility.id, ...(await settings.get(facility.id)) });
    });

    router.post('/facilities/:id/alert-settings', ...guard, jsonBody, async (ctx) => {
      const principal = staffOf(ctx);
      const facility = facilityOf(principal, parse(facilityId, ctx.params.id));
      if (!facility.administer) throw new ForbiddenError('not_permitted', 'only a facility or municipal admin may change alert settings');
      const body = parse(alertSettingsSchema, ctx.request.body ?? {});
      const saved = await settings.put(facility.id, body, principal.accountId);
      await appendAudit(db, { actorAccountId: principal.accountId, action: 'manager.alert_settings_changed', facilityId: facility.id, details: { ...saved } });
      noStore(ctx, { facilityId: facility.id, ...saved });
    });

    return {
      routers: [router],
      drain: () => streams.drain(),
      async stop() {
        streams.drain();
        hub.stop();
      },
    };
  },
};
