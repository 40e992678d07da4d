/**
 * PASS Manager as a relying party of PASS: a confidential client (`pass-manager`, secret read from
 * PASS's client store at each token request), authorization code flow with PKCE (S256), its access
 * token for PASS's own API. Made at start when missing (production has no demo seed).
 */
import { ACR_STRONG } from '../../src/identity/assurance.ts';
import type { ClientService } from '../../src/oidc/clients/client-service.ts';
import { ensureFirstPartyClient } from '../shared/first-party-client.ts';
import { PassRelyingParty } from '../shared/relying-party.ts';
import { MANAGER_BASE } from './paths.ts';

export const MANAGER_CLIENT_ID = 'pass-manager';
/**
 * `manager`: the Manager's back end (/api/manager); `pass:api`: the kiosk staff API;
 * `admin`: relying-party administration (the API still checks the account's role).
 */
export const MANAGER_SCOPES = 'openid email pass:api manager admin';

export async function ensureManagerClient(clients: ClientService, issuer: string): Promise<void> {
  await ensureFirstPartyClient(clients, {
    clientId: MANAGER_CLIENT_ID,
    name: 'PASS Manager',
    redirectUris: [`${issuer}${MANAGER_BASE}/callback`],
    postLogoutRedirectUris: [`${issuer}${MANAGER_BASE}/`],
    grantTypes: ['authorization_code', 'refresh_token'],
  });
}

export function managerOidcClient(clients: ClientService, issuer: string): PassRelyingParty {
  return new PassRelyingParty(issuer, {
    clientId: MANAGER_CLIENT_ID,
    scope: MANAGER_SCOPES,
    basePath: MANAGER_BASE,
    clientSecret: async () => (await clients.find(MANAGER_CLIENT_ID))?.clientSecret,
    // Staff act for a facility or a city: a passkey or an authenticator app, never an SMS code alone.
    acrValues: [ACR_STRONG],
  });
}
