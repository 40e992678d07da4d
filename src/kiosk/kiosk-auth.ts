/**
 * Guards the kiosk API: `Authorization: DPoP <token>` with a DPoP proof, the token issued by PASS
 * for the PASS API with scope `kiosk` to the kiosk client, bound to the proof's key. Then, except
 * for activation, the kiosk of the token's grant must exist and not be revoked.
 */
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { PassError } from '../core/errors.ts';
import { passApiResource } from '../oidc/provider-config.ts';
import { verifyDpop, type ReplayCache } from './dpop.ts';
import type { Kiosk, KioskStore } from './kiosk-store.ts';

export const KIOSK_CLIENT_ID = 'pass-kiosk';
export const KIOSK_SCOPE = 'kiosk';

export interface KioskToken {
  accountId: string | undefined;
  clientId: string;
  grantId: string;
  jkt: string;
}

declare module 'koa' {
  interface DefaultState {
    kioskToken?: KioskToken;
    kiosk?: Kiosk;
  }
}

export interface KioskAuthDeps {
  provider: () => Provider;
  issuer: string;
  kiosks: KioskStore;
  replay: ReplayCache;
}

function dpopToken(header: string | undefined): string | undefined {
  return /^DPoP ([A-Za-z0-9._~+/-]+=*)$/.exec(header ?? '')?.[1];
}

export function kioskToken(deps: KioskAuthDeps): Middleware {
  const audience = passApiResource(deps.issuer);
  return async (ctx, next) => {
    const unauthorized = (reason: string, description: string) => {
      ctx.set('WWW-Authenticate', `DPoP realm="PASS", error="invalid_token", algs="ES256"`);
      return new PassError('unauthorized', reason, description);
    };
    const value = dpopToken(ctx.get('Authorization'));
    if (!value) throw unauthorized('invalid_token', 'a DPoP-bound access token is required (Authorization: DPoP …)');
    const token = await deps.provider().AccessToken.find(value);
    if (!token || token.isExpired) throw unauthorized('invalid_token', 'the access token is invalid or expired');
    const aud = (token as { aud?: string | string[] }).aud;
    if (!(Array.isArray(aud) ? aud.includes(audience) : aud === audience)) throw unauthorized('invalid_token', 'the access token is not for the PASS API');
    const scopes = new Set(String(token.scope ?? '').split(' '));
    if (String(token.clientId) !== KIOSK_CLIENT_ID || !scopes.has(KIOSK_SCOPE)) throw new PassError('forbidden', 'not_kiosk_client', 'the access token is not a kiosk token');
    const jkt = (token as { jkt?: string }).jkt;
    try {
      await verifyDpop({ proof: ctx.get('DPoP') || undefined, method: ctx.method, url: `${deps.issuer}${ctx.path}`, accessToken: value, jkt, replay: deps.replay });
    } catch (error) {
      ctx.set('WWW-Authenticate', `DPoP realm="PASS", error="invalid_dpop_proof", algs="ES256"`);
      throw error;
    }
    const grantId = (token as { grantId?: string }).grantId;
    if (!grantId) throw unauthorized('invalid_token', 'the access token has no grant');
    ctx.state.kioskToken = { accountId: (token as { accountId?: string }).accountId, clientId: KIOSK_CLIENT_ID, grantId, jkt: jkt! };
    await next();
  };
}

/** After kioskToken: the activated, unrevoked kiosk of the token's grant. */
export function requireKiosk(kiosks: KioskStore): Middleware {
  return async (ctx, next) => {
    const kiosk = await kiosks.byGrant(ctx.state.kioskToken!.grantId);
    if (!kiosk) throw new PassError('forbidden', 'kiosk_not_activated', 'this kiosk is not activated for a facility');
    if (kiosk.revokedAt) {
      ctx.set('WWW-Authenticate', `DPoP realm="PASS", error="invalid_token"`);
      throw new PassError('unauthorized', 'kiosk_revoked', 'this kiosk has been revoked');
    }
    kiosks.touch(kiosk);
    ctx.state.kiosk = kiosk;
    await next();
  };
}
