/**
 * PASS's interaction policy: oidc-provider's own, plus one login check. A relying party that asks
 * for a card signature or a face match (acr_values, or claims.id_token.acr) gets that step afresh in
 * every authorization request that asks for it, even when the resident is already signed in: the
 * login prompt runs again until this interaction's own sign-in has one of the requested acr values.
 * A relying party asking a ranked class (urn:pass:acr:mfa-strong) that the session does not meet
 * gets the stronger step too, even with plain acr_values: never silently less.
 */
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { acrMeets, requestedAcrs, stepUpRequested } from '../assurance.ts';

export const STEP_UP_REASON = 'pass_step_up';
/** The session's class is weaker than every acr the relying party accepts (acr_values, voluntary or not). */
export const ACR_REASON = 'pass_acr';

export function requestedAcrsOf(ctx: KoaContextWithOIDC): string[] {
  const { params, claims } = ctx.oidc as unknown as { params: { acr_values?: unknown }; claims?: unknown };
  return requestedAcrs(params.acr_values, claims);
}

export function passInteractionPolicy(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  const login = policy.get('login')!;
  login.checks.add(
    new interactionPolicy.Check(STEP_UP_REASON, 'a card signature or a face match was requested', 'login_required', (ctx) => {
      const acrs = requestedAcrsOf(ctx);
      if (!stepUpRequested(acrs)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const done = (ctx.oidc as unknown as { result?: { login?: { acr?: string } } }).result?.login?.acr;
      return done !== undefined && acrs.includes(done) ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  login.checks.add(
    new interactionPolicy.Check(ACR_REASON, 'a stronger authentication was requested', 'login_required', (ctx) => {
      const acrs = requestedAcrsOf(ctx);
      if (acrs.length === 0 || stepUpRequested(acrs)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const oidc = ctx.oidc as unknown as { result?: { login?: { acr?: string } }; session?: { acr?: string } };
      const done = oidc.result?.login?.acr ?? oidc.session?.acr;
      return acrs.some((acr) => acrMeets(done, acr)) ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}
