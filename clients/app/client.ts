/**
 * The PASS app as a relying party of PASS: a public client (`pass-app`, no secret: PKCE protects
 * the code), authorization code flow with PKCE (S256), its access token for PASS's own API.
 */
import { PassRelyingParty } from '../shared/relying-party.ts';

export const PASS_APP_CLIENT_ID = 'pass-app';
/** pass:api: the app's screens (identity proofing, face, family…) call PASS's own API with the token. */
const PASS_APP_SCOPES = 'openid email phone pass:api';

export function appRelyingParty(issuer: string): PassRelyingParty {
  return new PassRelyingParty(issuer, { clientId: PASS_APP_CLIENT_ID, scope: PASS_APP_SCOPES, basePath: '/app' });
}
