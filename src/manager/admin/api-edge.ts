/**
 * The edge that PASS Manager's management, analytics and shelter APIs put after the console's
 * guard (src/manager/http/edge.ts: token with scope `manager`, staff principal), around their
 * handlers: their refusals become `{ error, reason, error_description, message: { ja, en }, fields?, claims?,
 * clients? }` — the claims or relying parties that stood in the way, so the console can say which.
 * Bodies and queries are validated before anything runs, so bad input changes nothing.
 */
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { apiRefusals, jsonBody } from '../../http/api-refusals.ts';
import { managerMessage } from '../messages.ts';
import { ManagerRefusal, refusalMessage } from './refusals.ts';

export function refusalEdge(): Middleware {
  return apiRefusals({
    message: (reason) => refusalMessage(reason) ?? managerMessage(reason),
    exposedDetails: ['fields', 'claims', 'clients'],
    logMessage: 'manager request refused',
  });
}

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ManagerRefusal('invalid_request', { fields: [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'body'))] });
  return parsed.data;
}

export function noStore(ctx: Context, body: unknown, status = 200): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.status = status;
  ctx.body = body;
}

export { jsonBody };
