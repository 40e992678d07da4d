/**
 * The edge of the Manager API (/api/manager): a PASS API access token with scope `manager` acting
 * for an account with a staff assignment (else 401/403 with nothing else), typed refusals as
 * `{ error, reason, error_description, message: { ja, en } }`, inputs validated before anything runs.
 */
import type { Context, Middleware } from 'koa';
import type { z } from 'zod';
import { ForbiddenError, InvalidInputError, PassError } from '../../core/errors.ts';
import { apiRefusals } from '../../http/api-refusals.ts';
import { managerMessage } from '../messages.ts';
import type { StaffPrincipal, StaffScope } from '../staff-scope.ts';

export const MANAGER_API_PREFIX = '/api/manager';

declare module 'koa' {
  interface DefaultState {
    staff?: StaffPrincipal;
  }
}

export function managerErrors(): Middleware {
  return apiRefusals({ message: managerMessage, exposedDetails: ['fields'], logMessage: 'manager request refused' });
}

/** After the token guard: the staff principal of the token's account, or 403 `not_staff`. */
export function requireStaff(scope: StaffScope): Middleware {
  return async (ctx, next) => {
    const accountId = ctx.state.principal?.accountId;
    const principal = accountId ? await scope.principal(accountId) : undefined;
    if (!principal) throw new ForbiddenError('not_staff', 'this account holds no staff assignment');
    ctx.state.staff = principal;
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}

export function staffOf(ctx: Context): StaffPrincipal {
  const staff = ctx.state.staff;
  if (!staff) throw new PassError('forbidden', 'not_staff', 'this account holds no staff assignment');
  return staff;
}

export function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const fields = result.error.issues.map((i) => i.path.join('.') || 'body');
    throw new InvalidInputError('invalid_request', `invalid or missing fields: ${fields.join(', ')}`, { fields });
  }
  return result.data;
}

export function noStore(ctx: Context, body: unknown, status = 200): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.status = status;
  ctx.body = body;
}
