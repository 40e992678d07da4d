/**
 * Relying parties of a facility in PASS Manager: an admin of the facility registers one, sets the
 * claims it may receive (never beyond the facility's claim policy), rotates its secret (shown once,
 * in the answer that made it) and registers its public keys. Staff of the facility may look.
 * Clients that belong to no facility (PASS's own apps) are not managed here.
 */
import { z } from 'zod';
import { ForbiddenError } from '../../core/errors.ts';
import type { Database } from '../../db/database.ts';
import type { ClientService, RegisteredClient } from '../../oidc/clients/client-service.ts';
import type { FacilityService } from '../../facilities/facility-service.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { facilityOf, type StaffPrincipal } from '../staff-scope.ts';
import { administered } from './facility-policies.ts';
import { clientUnits, putClientUnits } from '../../claims/client-claim-policies.ts';
import { facilityClientIds } from '../../oidc/clients/facility-clients.ts';
import { scopeForUnits } from './client-claims.ts';
import { ManagerRefusal } from './refusals.ts';

const uri = z.url({ protocol: /^https?$/ }).max(2000);
const jwk = z.record(z.string(), z.unknown()).refine((k) => typeof k.kty === 'string', { message: 'every key has a kty' });
export const jwksInput = z.object({ keys: z.array(jwk).min(1).max(10) }).strict();
const units = z.array(z.string().regex(/^[a-z_0-9]{2,40}$/)).max(30);

export const registerInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    clientId: z.string().regex(/^[A-Za-z0-9._~-]{3,100}$/).optional(),
    redirectUris: z.array(uri).min(1).max(20),
    postLogoutRedirectUris: z.array(uri).max(20).default([]),
    authMethod: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt']).default('client_secret_basic'),
    jwks: jwksInput.optional(),
    jwksUri: uri.optional(),
    backchannelLogoutUri: uri.optional(),
    fapi: z.boolean().default(false),
    refreshTokens: z.boolean().default(true),
    claims: units,
  })
  .strict();

export const keysInput = z.object({ jwks: jwksInput.optional(), jwksUri: uri.optional() }).strict();

export type RegisterInput = z.output<typeof registerInput>;
export type KeysInput = z.output<typeof keysInput>;

/** JWK members that only a private (or symmetric) key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export interface RelyingPartyView {
  clientId: string;
  name: string;
  facilityId: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  authMethod: string;
  grantTypes: string[];
  scope: string;
  claims: string[];
  jwksUri: string | null;
  keys: Array<{ kid: string | null; kty: string; alg: string | null; use: string | null }>;
  fapi: boolean;
  hasSecret: boolean;
  source: string;
  createdAt: string;
}

export interface WithSecret {
  client: RelyingPartyView;
  /** Present only in the answer that made the secret. */
  clientSecret: string | undefined;
}

function checkPublicKeys(jwks: { keys: Record<string, unknown>[] } | undefined): void {
  if (jwks?.keys.some((k) => PRIVATE_MEMBERS.some((m) => m in k))) throw new ManagerRefusal('private_key_in_jwks');
}

export class RelyingParties {
  readonly #db: Database;
  readonly #clients: () => ClientService;
  readonly #facilities: FacilityService;

  constructor(db: Database, clients: () => ClientService, facilities: FacilityService) {
    this.#db = db;
    this.#clients = clients;
    this.#facilities = facilities;
  }

  async #view(client: RegisteredClient): Promise<RelyingPartyView> {
    const m = client.metadata as Record<string, any>;
    const keys = ((m.jwks?.keys ?? []) as Array<Record<string, unknown>>).map((k) => ({
      kid: typeof k.kid === 'string' ? k.kid : null,
      kty: String(k.kty),
      alg: typeof k.alg === 'string' ? k.alg : null,
      use: typeof k.use === 'string' ? k.use : null,
    }));
    return {
      clientId: client.clientId,
      name: String(m.client_name ?? client.clientId),
      facilityId: client.facilityId ?? '',
      redirectUris: (m.redirect_uris as string[] | undefined) ?? [],
      postLogoutRedirectUris: (m.post_logout_redirect_uris as string[] | undefined) ?? [],
      authMethod: String(m.token_endpoint_auth_method ?? 'client_secret_basic'),
      grantTypes: (m.grant_types as string[] | undefined) ?? [],
      scope: typeof m.scope === 'string' ? m.scope : '',
      claims: (await clientUnits(this.#db, client.clientId)) ?? [],
      jwksUri: typeof m.jwks_uri === 'string' ? m.jwks_uri : null,
      keys,
      fapi: m.pass_fapi === true,
      hasSecret: Boolean(client.clientSecret),
      source: client.source,
      createdAt: client.createdAt.toISOString(),
    };
  }

  /** The facility's client, after checking the principal may see it; a client of no facility is nobody's here. */
  async #client(principal: StaffPrincipal, clientId: string): Promise<RegisteredClient> {
    const client = await this.#clients().find(clientId);
    if (!client) throw new ManagerRefusal('client_not_found');
    if (!client.facilityId) throw new ForbiddenError('facility_not_permitted', 'this client belongs to no facility');
    facilityOf(principal, client.facilityId);
    return client;
  }

  async #allowedUnits(facilityId: string, wanted: readonly string[]): Promise<string[]> {
    const policy = await this.#facilities.policies.find(facilityId);
    if (!policy) throw new ManagerRefusal('facility_has_no_policy');
    const allowed = new Set([...policy.required, ...policy.optional]);
    const refused = wanted.filter((u) => !allowed.has(u));
    if (refused.length) throw new ManagerRefusal('claims_not_allowed', { claims: [...new Set(refused)] });
    return [...new Set(wanted)];
  }

  async list(principal: StaffPrincipal, facilityId: string): Promise<RelyingPartyView[]> {
    facilityOf(principal, facilityId);
    const out: RelyingPartyView[] = [];
    for (const clientId of await facilityClientIds(this.#db, facilityId)) {
      const client = await this.#clients().find(clientId);
      if (client) out.push(await this.#view(client));
    }
    return out;
  }

  async get(principal: StaffPrincipal, clientId: string): Promise<RelyingPartyView> {
    return this.#view(await this.#client(principal, clientId));
  }

  async register(principal: StaffPrincipal, facilityId: string, input: RegisterInput): Promise<WithSecret> {
    administered(principal, facilityId);
    const claims = await this.#allowedUnits(facilityId, input.claims);
    checkPublicKeys(input.jwks);
    if (input.authMethod === 'private_key_jwt' && !input.jwks && !input.jwksUri) throw new ManagerRefusal('private_key_jwt_needs_keys');
    const grantTypes = input.refreshTokens ? ['authorization_code', 'refresh_token'] : ['authorization_code'];
    const created = await this.#clients().create({
      clientId: input.clientId,
      name: input.name,
      facilityId,
      redirectUris: input.redirectUris,
      postLogoutRedirectUris: input.postLogoutRedirectUris,
      grantTypes,
      tokenEndpointAuthMethod: input.authMethod,
      jwksUri: input.jwksUri,
      jwks: input.jwks,
      backchannelLogoutUri: input.backchannelLogoutUri,
      fapi: input.fapi,
      extra: { scope: scopeForUnits(claims, grantTypes) },
    });
    try {
      await this.#db.transaction(async (trx) => {
        await putClientUnits(trx, created.clientId, claims, principal.accountId);
        await appendAudit(trx, { actorAccountId: principal.accountId, action: 'manager.client_registered', facilityId, details: { clientId: created.clientId, claims } });
      });
    } catch (error) {
      await this.#clients().remove(created.clientId).catch(() => {});
      throw error;
    }
    return { client: await this.#view(created), clientSecret: created.clientSecret };
  }

  async setClaims(principal: StaffPrincipal, clientId: string, wanted: readonly string[]): Promise<RelyingPartyView> {
    const client = await this.#client(principal, clientId);
    administered(principal, client.facilityId!);
    const claims = await this.#allowedUnits(client.facilityId!, wanted);
    const grantTypes = (client.metadata.grant_types as string[] | undefined) ?? [];
    // Units first: updating the client tells every node to drop what it cached of it, units included.
    await this.#db.transaction(async (trx) => {
      await putClientUnits(trx, clientId, claims, principal.accountId);
      await appendAudit(trx, { actorAccountId: principal.accountId, action: 'manager.client_claims_changed', facilityId: client.facilityId!, details: { clientId, claims } });
    });
    const updated = await this.#clients().update(clientId, { scope: scopeForUnits(claims, grantTypes) });
    return this.#view(updated);
  }

  async rotateSecret(principal: StaffPrincipal, clientId: string): Promise<WithSecret> {
    const client = await this.#client(principal, clientId);
    administered(principal, client.facilityId!);
    const rotated = await this.#clients().rotateSecret(clientId).catch((error: unknown) => {
      throw (error as { reason?: string }).reason === 'client_has_no_secret' ? new ManagerRefusal('client_has_no_secret') : error;
    });
    await appendAudit(this.#db, { actorAccountId: principal.accountId, action: 'manager.client_secret_rotated', facilityId: client.facilityId!, details: { clientId } });
    return { client: await this.#view(rotated), clientSecret: rotated.clientSecret };
  }

  /** Registers the client's public keys: a key set, or the URL it publishes one at (never both). */
  async setKeys(principal: StaffPrincipal, clientId: string, input: KeysInput): Promise<RelyingPartyView> {
    const client = await this.#client(principal, clientId);
    administered(principal, client.facilityId!);
    if (Boolean(input.jwks) === Boolean(input.jwksUri)) throw new ManagerRefusal('keys_required');
    checkPublicKeys(input.jwks);
    const updated = await this.#clients().update(clientId, input.jwks ? { jwks: input.jwks, jwks_uri: null } : { jwks_uri: input.jwksUri, jwks: null });
    const kids = input.jwks ? input.jwks.keys.map((k) => (typeof k.kid === 'string' ? k.kid : null)) : [];
    await appendAudit(this.#db, {
      actorAccountId: principal.accountId,
      action: 'manager.client_keys_changed',
      facilityId: client.facilityId!,
      details: { clientId, ...(input.jwks ? { kids } : { jwksUri: input.jwksUri }) },
    });
    return this.#view(updated);
  }
}
