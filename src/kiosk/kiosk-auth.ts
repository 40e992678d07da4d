/**
 * Guards the kiosk API: `Authorization: DPoP <token>` with a DPoP proof, the token issued by PASS
 * for the PASS API with scope `kiosk` to the kiosk client, bound to the proof's key, the proof
 * carrying a recent PASS nonce (every answer brings the current one in `DPoP-Nonce`). Then, except
 * for activation, the kiosk of the token's grant must exist and not be revoked.
 */
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import { PassError } from '../core/errors.ts';
import { passApiResource } from '../oidc/provider-config.ts';
import { DpopNonceError, verifyDpop, type ReplayCache } from './dpop.ts';
import type { DpopNonces } from './dpop-nonce.ts';
import { KIOSK_CLIENT_ID, KIOSK_SCOPE } from './kiosk-client.ts';
import type { Kiosk, KioskStore } from './kiosk-store.ts';

export { KIOSK_CLIENT_ID, KIOSK_SCOPE };

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
  nonces?: DpopNonces | undefined;
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
    // The next nonce rides on every answer, refusals included (RFC 9449 §8.2), so a kiosk never waits for one.
    if (deps.nonces) ctx.set('DPoP-Nonce', deps.nonces.current());
    try {
      await verifyDpop({ proof: ctx.get('DPoP') || undefined, method: ctx.method, url: `${deps.issuer}${ctx.path}`, accessToken: value, jkt, replay: deps.replay, nonces: deps.nonces });
    } catch (error) {
      const code = error instanceof DpopNonceError ? 'use_dpop_nonce' : 'invalid_dpop_proof';
      ctx.set('WWW-Authenticate', `DPoP realm="PASS", error="${code}", algs="ES256"`);
      throw error;
    }
    const grantId = (token as { grantId?: string }).grantId;
    if (!grantId) throw unauthorized('invalid_token', 'the access token has no grant');
    ctx.state.kioskToken = { accountId: (token as { accountId?: string }).accountId, clientId: KIOSK_CLIENT_ID, grantId, jkt: jkt! };
    await next();
  };
}

/**
 * After kioskToken: the activated, unrevoked kiosk of the token's grant. `contact: false` for the
 * kiosk saying it closes, which must not count as hearing from it.
 */
export function requireKiosk(kiosks: KioskStore, options: { contact?: boolean } = {}): Middleware {
  const contact = options.contact ?? true;
  return async (ctx, next) => {
    const kiosk = await kiosks.byGrant(ctx.state.kioskToken!.grantId);
    if (!kiosk) throw new PassError('forbidden', 'kiosk_not_activated', 'this kiosk is not activated for a facility');
    if (kiosk.revokedAt) {
      ctx.set('WWW-Authenticate', `DPoP realm="PASS", error="invalid_token"`);
      throw new PassError('unauthorized', 'kiosk_revoked', 'this kiosk has been revoked');
    }
    if (contact) kiosks.touch(kiosk);
    ctx.state.kiosk = kiosk;
    await next();
  };
}
