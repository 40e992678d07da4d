/**
 * /manager/shelters: occupancy of each shelter of the staff member (and the city-wide totals for a
 * municipal admin), each shelter's roster, and the CSV of the periodic report. Pages update live:
 * the script listens to /manager/shelters/stream (occupancy counts only) and reloads the roster
 * table from /manager/shelters/<id>/roster-table when that shelter changes.
 */
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import Router from '@koa/router';
import type { Context } from 'koa';
import { METHOD_LABELS, japanTime, label } from '../../../src/manager/labels.ts';
import type { Overview, Roster } from '../../../src/manager/shelters/shelter-board.ts';
import type { ManagerSection } from '../sections.ts';
import { STYLES, fill, refusal } from '../admin/page-kit.ts';
import { proxyEventStream } from '../event-proxy.ts';
import { SHELTER_MESSAGES } from './messages.ts';

const API = '/api/manager/shelters';
const FACILITY = /^[a-z0-9-]{3,64}$/;

function facilityParam(ctx: Context): string | undefined {
  return typeof ctx.query.facility === 'string' && FACILITY.test(ctx.query.facility) ? ctx.query.facility : undefined;
}

export const sheltersSection: ManagerSection = {
  id: 'shelters',
  navKey: 'shelters.nav',
  path: '/shelters',
  roles: ['facility_staff', 'facility_admin', 'municipal_admin'],
  messages: SHELTER_MESSAGES,
  routes(env) {
    const router = new Router();
    const words = { METHOD_LABELS, label, japanTime, fill };

    router.get('/', async (ctx) => {
      const staff = env.staff(ctx);
      const answer = await staff.api.get<Overview>(API);
      if (!answer.ok) return env.refuse(ctx, answer.status, refusal(staff, answer));
      await env.render(ctx, 'shelters/overview', {
        title: staff.t('shelters.title'),
        styles: STYLES,
        scripts: answer.body.shelters.length ? ['manage-shelters.js'] : [],
        section: 'shelters',
        shelters: answer.body.shelters,
        totals: answer.body.totals,
        ...words,
      });
    });

    router.get('/report.csv', async (ctx) => {
      const staff = env.staff(ctx);
      const upstream = await staff.api.raw(`${API}/report.csv`, { query: { facility: facilityParam(ctx), lang: staff.lang } });
      ctx.set('Cache-Control', 'no-store');
      if (!upstream.ok || !upstream.body) {
        const text = await upstream.text();
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {}
        return env.refuse(ctx, upstream.status, refusal(staff, { ok: false, status: upstream.status, body }));
      }
      ctx.type = upstream.headers.get('content-type') ?? 'text/csv; charset=utf-8';
      const disposition = upstream.headers.get('content-disposition');
      if (disposition) ctx.set('Content-Disposition', disposition);
      ctx.body = Readable.fromWeb(upstream.body as ReadableStream);
    });

    router.get('/stream', async (ctx) => {
      const staff = env.staff(ctx);
      await proxyEventStream(ctx, env, (signal) => staff.api.raw(`${API}/stream`, { query: { facility: facilityParam(ctx) }, headers: { accept: 'text/event-stream' }, signal }));
    });

    async function roster(ctx: Context): Promise<Roster | undefined> {
      const staff = env.staff(ctx);
      const id = String(ctx.params.facilityId);
      if (!FACILITY.test(id)) {
        await env.refuse(ctx, 404, 'error.notfound');
        return undefined;
      }
      const answer = await staff.api.get<Roster>(`${API}/${id}/roster`);
      if (!answer.ok) {
        await env.refuse(ctx, answer.status, refusal(staff, answer));
        return undefined;
      }
      return answer.body;
    }

    router.get('/:facilityId', async (ctx) => {
      const staff = env.staff(ctx);
      const found = await roster(ctx);
      if (!found) return;
      await env.render(ctx, 'shelters/roster', {
        title: found.shelter.name[staff.lang],
        styles: STYLES,
        scripts: ['manage-shelters.js'],
        section: 'shelters',
        shelter: found.shelter,
        people: found.people,
        ...words,
      });
    });

    router.get('/:facilityId/roster-table', async (ctx) => {
      const found = await roster(ctx);
      if (!found) return;
      await env.render(ctx, 'shelters/_roster', { shelter: found.shelter, people: found.people, ...words });
    });

    return router;
  },
};
