import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { ClaimPolicy } from '../../facilities/claim-policy.ts';

/**
 * PASS's own client metadata (oidc-provider's extraClientMetadata), kept verbatim on the client:
 * - `pass_fapi: true` puts the client under the FAPI 2.0 Security Profile: PAR, PKCE (always),
 *   DPoP-bound tokens and private_key_jwt are enforced when it is registered and on every request.
 * - `pass_facility_id`: the facility the client belongs to (its claim policy). Set by admins and
 *   by the initial access token a facility was given; never by the registrant itself.
 */
export const PASS_FAPI = 'pass_fapi';
export const PASS_FACILITY = 'pass_facility_id';
export const EXTRA_CLIENT_METADATA = [PASS_FAPI, PASS_FACILITY];

const FACILITY_ID = /^[a-z0-9-]{3,64}$/;

type Metadata = Record<string, unknown>;

/** Runs once per property whenever a client is built (registration, update, load); synchronous. */
export function validateExtraMetadata(_ctx: KoaContextWithOIDC | undefined, key: string, value: unknown, metadata: Metadata): void {
  if (key === PASS_FACILITY) {
    if (value !== undefined && (typeof value !== 'string' || !FACILITY_ID.test(value))) {
      throw new errors.InvalidClientMetadata(`${PASS_FACILITY} must be a facility id`);
    }
    return;
  }
  if (key !== PASS_FAPI || value === undefined) return;
  if (typeof value !== 'boolean') throw new errors.InvalidClientMetadata(`${PASS_FAPI} must be a boolean`);
  if (!value) return;
  if (metadata.token_endpoint_auth_method !== 'private_key_jwt') {
    throw new errors.InvalidClientMetadata('a FAPI 2.0 client authenticates with private_key_jwt');
  }
  const responseTypes = (metadata.response_types as string[] | undefined) ?? ['code'];
  if (responseTypes.some((type) => type !== 'code')) throw new errors.InvalidClientMetadata('a FAPI 2.0 client uses response_type code only');
  // What the profile requires of every request, made part of the client so oidc-provider enforces it.
  metadata.require_pushed_authorization_requests = true;
  metadata.dpop_bound_access_tokens = true;
}

interface ClientLike {
  clientAuthMethod?: string;
  [key: string]: unknown;
}

/** features.fapi.profile: FAPI 2.0 behaviour for the clients that opted in, none for others. */
export function fapiProfile(_ctx: KoaContextWithOIDC, client: ClientLike | undefined): '2.0' | undefined {
  return client?.[PASS_FAPI] === true ? '2.0' : undefined;
}

interface RefreshTokenLike {
  totalLifetime(): number;
  ttlPercentagePassed(): number;
}

const YEAR = 365.25 * 24 * 60 * 60;

/**
 * Refresh token rotation: a public client's token is rotated on every use (a stolen, replayed one
 * revokes the whole grant), DPoP-bound or not; a confidential client's near the end of its life.
 * No chain is prolonged beyond a year.
 */
export function rotateRefreshToken(ctx: KoaContextWithOIDC): boolean {
  const { RefreshToken: token, Client: client } = ctx.oidc.entities as { RefreshToken?: RefreshTokenLike; Client?: ClientLike };
  if (!token || !client) return true;
  if (token.totalLifetime() >= YEAR) return false;
  if (client.clientAuthMethod === 'none') return true;
  return token.ttlPercentagePassed() >= 70;
}

interface PolicyClient {
  clientId: string;
  clientAuthMethod?: string;
  responseTypes?: string[];
  grantTypes?: string[];
}

/**
 * Who may introspect a token (RFC 7662): the client it was issued to, or a resource server — a
 * confidential client registered by an admin with no grants of its own (oidc-provider's
 * "resource server only" client) or with client_credentials only.
 */
export async function introspectionAllowed(_ctx: KoaContextWithOIDC, client: PolicyClient, token: { clientId?: string }): Promise<boolean> {
  if (token.clientId === client.clientId) return true;
  if (client.clientAuthMethod === 'none') return false;
  const grants = client.grantTypes ?? [];
  return !(client.responseTypes ?? []).length && grants.every((grant) => grant === 'client_credentials');
}

/** Who may revoke a token (RFC 7009): only the client it was issued to. */
export async function revocationAllowed(_ctx: KoaContextWithOIDC, client: PolicyClient, token: { clientId?: string }): Promise<boolean> {
  if (token.clientId === client.clientId) return true;
  // A public client is told "done" (no guessing of valid tokens); a confidential one is refused.
  if (client.clientAuthMethod === 'none') return false;
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
}

/** A sector named by a DNS host (city.toyooka.lg.jp); the default `facility:<id>` is not one. */
function hostSector(sector: string): string | undefined {
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(sector) ? sector.toLowerCase() : undefined;
}

function withinSector(host: string, sector: string): boolean {
  const h = host.toLowerCase();
  return h === sector || h.endsWith(`.${sector}`);
}

/**
 * A facility's client against the facility's claim policy (issue #6), at registration by an admin
 * (CLI, admin API) and by Dynamic Client Registration:
 *   - subjects are pairwise unless the policy allows public ones (subject_type=public is refused);
 *   - its pairwise subjects come from the facility's sector, so a sector_identifier_uri must be on
 *     that sector's host — and where the sector is a host, every redirect URI must be too.
 * Each refusal is invalid_client_metadata (OpenID Connect Dynamic Client Registration §3.3).
 */
export function checkFacilitySubjects(metadata: Metadata, policy: Pick<ClaimPolicy, 'subjectType' | 'sector'> | undefined): void {
  const facilityId = String(metadata[PASS_FACILITY]);
  const subjectType = metadata.subject_type ?? 'public';
  if (subjectType === 'public' && policy?.subjectType !== 'public') {
    throw new errors.InvalidClientMetadata(`facility ${facilityId} requires pairwise subject identifiers: register subject_type=pairwise`);
  }
  const sector = policy ? hostSector(policy.sector) : undefined;
  const sectorUri = metadata.sector_identifier_uri;
  if (typeof sectorUri === 'string') {
    const host = URL.parse(sectorUri)?.hostname;
    if (!sector || !host || !withinSector(host, sector)) {
      throw new errors.InvalidClientMetadata(
        sector
          ? `sector_identifier_uri must be on the sector of facility ${facilityId} (${sector})`
          : `facility ${facilityId} has its own pairwise sector: leave sector_identifier_uri out`,
      );
    }
  }
  if (!sector) return;
  for (const uri of (metadata.redirect_uris as unknown[] | undefined) ?? []) {
    const host = typeof uri === 'string' ? URL.parse(uri)?.hostname : undefined;
    if (!host || !withinSector(host, sector)) throw new errors.InvalidClientMetadata(`redirect_uris must be on the sector of facility ${facilityId} (${sector})`);
  }
}

const SUBJECT_GRANTS = ['urn:ietf:params:oauth:grant-type:device_code', 'urn:openid:params:grant-type:ciba'];

/** Does the client ever learn a resident's subject (ID tokens, userinfo)? A client_credentials-only one does not. */
function receivesSubjects(metadata: Metadata): boolean {
  const responseTypes = (metadata.response_types as unknown[] | undefined) ?? ['code'];
  const grantTypes = (metadata.grant_types as unknown[] | undefined) ?? [];
  return responseTypes.length > 0 || grantTypes.some((g) => SUBJECT_GRANTS.includes(String(g)));
}

/**
 * The facility check as the client service and the registration endpoint run it: for a client of
 * a facility that receives subjects, subject_type defaults to pairwise, then checkFacilitySubjects.
 */
export function facilitySubjectPolicy(policyOf: (facilityId: string) => Promise<ClaimPolicy | undefined>): (metadata: Metadata) => Promise<void> {
  return async (metadata) => {
    const facilityId = metadata[PASS_FACILITY];
    if (typeof facilityId !== 'string' || !receivesSubjects(metadata)) return;
    metadata.subject_type ??= 'pairwise';
    checkFacilitySubjects(metadata, await policyOf(facilityId));
  };
}
