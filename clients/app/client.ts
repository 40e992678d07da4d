/**
 * The PASS app as a relying party of PASS: a public client (`pass-app`, no secret: PKCE protects
 * the code), authorization code flow with PKCE (S256), its access token for PASS's own API. Made at
 * start when missing (production has no demo seed).
 */
import type { ClientService } from '../../src/oidc/clients/client-service.ts';
import { ensureFirstPartyClient } from '../shared/first-party-client.ts';
import { PassRelyingParty } from '../shared/relying-party.ts';

export const PASS_APP_CLIENT_ID = 'pass-app';
/** pass:api: the app's screens (identity proofing, face, family…) call PASS's own API with the token. */
const PASS_APP_SCOPES = 'openid email phone pass:api';

export function appRelyingParty(issuer: string): PassRelyingParty {
  return new PassRelyingParty(issuer, { clientId: PASS_APP_CLIENT_ID, scope: PASS_APP_SCOPES, basePath: '/app' });
}

export async function ensureAppClient(clients: ClientService, issuer: string): Promise<void> {
  await ensureFirstPartyClient(clients, {
    clientId: PASS_APP_CLIENT_ID,
    name: 'PASS アプリ',
    redirectUris: [`${issuer}/app/callback`],
    postLogoutRedirectUris: [`${issuer}/app/`],
    grantTypes: ['authorization_code', 'refresh_token'],
    tokenEndpointAuthMethod: 'none',
  });
}
