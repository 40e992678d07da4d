/**
 * The edge of the Manager API (/api/manager): a PASS API access token with scope `manager` acting
 * for an account with a staff assignment (else 401/403 with nothing else), typed refusals as
 * `{ error, reason, error_description, message: { ja, en } }`, inputs validated before anything runs
 * (src/http/validate.ts).
 */
import type { Context, Middleware } from 'koa';
import { ForbiddenError, PassError } from '../../core/errors.ts';
import { apiEdge, exposing } from '../../http/api-edge.ts';
import { MANAGER_REASONS } from '../messages.ts';
import type { StaffPrincipal, StaffScope } from '../staff-scope.ts';
import { ACR_STRONG, acrMeets } from '../../identity/assurance.ts';

export { jsonBody } from '../../http/request-body.ts';
export { parse, validate } from '../../http/validate.ts';

export const MANAGER_API_PREFIX = '/api/manager';

declare module 'koa' {
  interface DefaultState {
    staff?: StaffPrincipal;
  }
}

/** The Manager API's edge (src/http/api-edge.ts): the console names the fields, the claims or the relying parties that stood in the way. */
export function managerErrors(): Middleware {
  return apiEdge({ reasons: [MANAGER_REASONS], details: exposing(['fields', 'claims', 'clients']), retryAfter: { 503: 30 }, logMessage: 'manager request refused' });
}

/**
 * After the token guard: the staff principal of the token's account, or 403 `not_staff`. Staff
 * act for a whole facility or city, so their token must come from a passkey or an authenticator
 * app sign-in (acr urn:pass:acr:mfa-strong); a weaker one gets RFC 9470's step-up challenge.
 */
export function requireStaff(scope: StaffScope): Middleware {
  return async (ctx, next) => {
    const accountId = ctx.state.principal?.accountId;
    const principal = accountId ? await scope.principal(accountId) : undefined;
    if (!principal) throw new ForbiddenError('not_staff', 'this account holds no staff assignment');
    if (!acrMeets(ctx.state.principal?.acr, ACR_STRONG)) {
      ctx.set('WWW-Authenticate', `Bearer error="insufficient_user_authentication", error_description="a passkey or authenticator app sign-in is required", acr_values="${ACR_STRONG}"`);
      throw new PassError('unauthorized', 'insufficient_user_authentication', 'staff need a passkey or authenticator app sign-in');
    }
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

export function noStore(ctx: Context, body: unknown, status = 200): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.status = status;
  ctx.body = body;
}
