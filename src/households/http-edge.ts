/**
 * The edge of the household and registration APIs: typed refusals become
 * `{ error, reason, error_description, message: { ja, en } }` (like the proofing and face APIs);
 * bodies are validated before anything runs, so bad input changes nothing.
 */
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { apiRefusals, jsonBody } from '../http/api-refusals.ts';
import { messageFor } from '../identity/proofing/messages.ts';
import { faceMessage } from '../face/messages.ts';
import { FamilyError, familyMessage } from './errors.ts';

/** Refusals of the household and registration APIs; messages from whichever module owns the reason. */
export function familyErrors(): Middleware {
  return apiRefusals({
    message: (reason) => familyMessage(reason) ?? faceMessage(reason) ?? messageFor(reason),
    exposedDetails: ['attempts_left', 'required', 'fields'],
    logMessage: 'household or registration request refused',
  });
}

export { jsonBody };

export function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new FamilyError('invalid_request', { fields: parsed.error.issues.map((i) => i.path.join('.') || 'body') });
  return parsed.data;
}

export function base64(maxBytes: number) {
  return z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/)
    .transform((value) => new Uint8Array(Buffer.from(value, 'base64')));
}

export const opaqueId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

/** The account the token acts for; client-only tokens cannot manage a household. */
export function accountOf(ctx: Context): { accountId: string; clientId: string } {
  const principal = ctx.state.principal;
  if (!principal?.accountId) throw new FamilyError('account_required');
  return { accountId: principal.accountId, clientId: principal.clientId };
}

export function noStore(ctx: Context, body: unknown, status = 200): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.status = status;
  ctx.body = body;
}
