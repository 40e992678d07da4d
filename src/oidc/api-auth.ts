import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { PassError } from '../core/errors.ts';
import { passApiResource } from './provider-config.ts';

export interface ApiPrincipal {
  /** The account the token acts for; undefined for client-only tokens (kiosks, services). */
  accountId: string | undefined;
  clientId: string;
  scopes: Set<string>;
  grantId: string | undefined;
  /** How the account signed in (RFC 9068 §2.2.1), from the token's authorization: urn:pass:acr:… */
  acr: string | undefined;
}

declare module 'koa' {
  interface DefaultState {
    principal?: ApiPrincipal;
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header ?? '');
  return match?.[1];
}

/**
 * Guards PASS's own API: the request must carry an access token that PASS issued for the PASS
 * API resource, still valid and not revoked, with every scope listed. Sets ctx.state.principal.
 */
export function requireApiToken(provider: () => Provider, issuer: string, scopes: string[] = []): Middleware {
  const audience = passApiResource(issuer);
  return async (ctx, next) => {
    const value = bearer(ctx.get('Authorization'));
    const unauthorized = (description: string) => {
      ctx.set('WWW-Authenticate', `Bearer realm="PASS", error="invalid_token", error_description="${description}"`);
      return new PassError('unauthorized', 'invalid_token', description);
    };
    if (!value) throw unauthorized('an access token is required');
    const op = provider();
    const token = (await op.AccessToken.find(value)) ?? (await op.ClientCredentials.find(value));
    if (!token || token.isExpired) throw unauthorized('the access token is invalid or expired');
    const aud = (token as { aud?: string | string[] }).aud;
    if (!(Array.isArray(aud) ? aud.includes(audience) : aud === audience)) throw unauthorized('the access token is not for the PASS API');
    const granted = new Set(String(token.scope ?? '').split(' ').filter(Boolean));
    const missing = scopes.filter((s) => !granted.has(s));
    if (missing.length) {
      ctx.set('WWW-Authenticate', `Bearer realm="PASS", error="insufficient_scope", scope="${scopes.join(' ')}"`);
      throw new PassError('forbidden', 'insufficient_scope', `the access token lacks scope: ${missing.join(' ')}`);
    }
    ctx.state.principal = {
      accountId: (token as { accountId?: string }).accountId,
      clientId: String(token.clientId),
      scopes: granted,
      grantId: (token as { grantId?: string }).grantId,
      acr: (token as { extra?: { acr?: unknown } }).extra?.acr as string | undefined,
    };
    await next();
  };
}
