/**
 * What a wallet and a verifier read before anything else: the credential issuer metadata
 * (OpenID4VCI 1.0 §12.2), the metadata of the wallet's own authorization server (RFC 8414), and
 * the SD-JWT VC issuer metadata with the keys (`/.well-known/jwt-vc-issuer`).
 *
 * The token endpoint for the pre-authorized code is the credential issuer's own small one, named
 * as a separate authorization server (`<issuer>/wallet`, its metadata at
 * `/.well-known/oauth-authorization-server/wallet`, RFC 8414 §3.1) rather than a grant type added to
 * oidc-provider: the holder is the phone, a public client of no registered grant; its token must be
 * bound to one offer (person, credential type, asking account) and be good for nothing else; and
 * PASS's OpenID tokens and their resource indicators stay as they are.
 */
import type { JWK } from 'jose';
import { CREDENTIAL_ALG, CREDENTIAL_FORMAT, CREDENTIAL_TYPES, CONFIGURATION_IDS } from './credential-types.ts';

export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
export const WALLET_PATHS = {
  issuerMetadata: '/.well-known/openid-credential-issuer',
  authorizationServerMetadata: '/.well-known/oauth-authorization-server/wallet',
  jwtVcIssuer: '/.well-known/jwt-vc-issuer',
  token: '/wallet/token',
  nonce: '/wallet/nonce',
  credential: '/wallet/credential',
} as const;

export const authorizationServerOf = (issuer: string): string => `${issuer}/wallet`;

const words = (w: { ja: string; en: string }) => [
  { name: w.ja, locale: 'ja' },
  { name: w.en, locale: 'en' },
];

export function credentialIssuerMetadata(issuer: string): Record<string, unknown> {
  return {
    credential_issuer: issuer,
    authorization_servers: [authorizationServerOf(issuer)],
    credential_endpoint: `${issuer}${WALLET_PATHS.credential}`,
    nonce_endpoint: `${issuer}${WALLET_PATHS.nonce}`,
    display: words({ ja: 'PASS（自治体の本人確認）', en: 'PASS (municipal identity)' }),
    credential_configurations_supported: Object.fromEntries(
      CONFIGURATION_IDS.map((id) => {
        const type = CREDENTIAL_TYPES[id];
        return [
          id,
          {
            format: CREDENTIAL_FORMAT,
            vct: type.vct,
            cryptographic_binding_methods_supported: ['jwk'],
            credential_signing_alg_values_supported: [CREDENTIAL_ALG],
            proof_types_supported: { jwt: { proof_signing_alg_values_supported: [CREDENTIAL_ALG] } },
            credential_metadata: {
              display: words(type.display),
              claims: type.claims.map((c) => ({ path: [c.name], mandatory: !c.disclosable, display: words(c.display) })),
            },
          },
        ];
      }),
    ),
  };
}

export function authorizationServerMetadata(issuer: string): Record<string, unknown> {
  return {
    issuer: authorizationServerOf(issuer),
    token_endpoint: `${issuer}${WALLET_PATHS.token}`,
    // No authorization endpoint: credentials are offered by the PASS app, with a pre-authorized code.
    response_types_supported: [],
    grant_types_supported: [PRE_AUTHORIZED_GRANT],
    token_endpoint_auth_methods_supported: ['none'],
    'pre-authorized_grant_anonymous_access_supported': true,
  };
}

export function jwtVcIssuerMetadata(issuer: string, keys: JWK[]): Record<string, unknown> {
  return { issuer, jwks: { keys } };
}
