import Router from '@koa/router';
import type { Outbox } from './outbox.ts';
import { render } from '../http/render.ts';
import { MESSAGES } from '../identity/interactions/messages.ts';

/**
 * /dev/outbox (HTML) and /dev/outbox.json: the mail and SMS a development PASS "sent". Only
 * mounted when the outbox exists, and never in production (the caller checks both); tests and
 * the browser walk-throughs read their codes here.
 */
export function outboxRoutes(outbox: Outbox): Router {
  const router = new Router({ prefix: '/dev' });
  router.get('/outbox', async (ctx) => {
    await render(ctx, 'dev/outbox', MESSAGES, { entries: outbox.list(), here: '/dev/outbox' });
  });
  router.get('/outbox.json', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = outbox.list();
  });
  return router;
}
