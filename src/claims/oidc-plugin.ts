/**
 * The claims engine plugged into oidc-provider (src/oidc/find-account.ts, provider-config.ts):
 *   - a client that belongs to a facility receives, in ID tokens and userinfo, only the claims of
 *     the resident's active registration at that facility that it also asked for;
 *   - its access tokens (JWT, or opaque ones via introspection) carry only the consented derived
 *     claims (age, age_over_N, resident_of) that its scopes ask for;
 *   - subjects are pairwise per facility sector (the facility's policy), public only where allowed;
 *   - every release is recorded, for facility clients and for every other client alike.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Database } from '../db/database.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/logger.ts';
import type { ClaimPolicies } from '../facilities/claim-policy.ts';
import { AGE_THRESHOLDS, DERIVED_CLAIMS_CONFIG } from './catalog.ts';
import type { ClaimsEngine } from './engine.ts';
import type { FactsReader } from './facts.ts';
import { assertClaimsParameter } from './ida-request.ts';
import type { ReleaseLog, ReleaseUse } from './releases.ts';
import { idaDiscovery } from './verified-claims.ts';

/** The standard scopes' claims (as in provider-config.ts) plus the derived ones (`resident`). */
const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  profile: ['name', 'family_name', 'given_name', 'birthdate', 'gender'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  address: ['address'],
  ...DERIVED_CLAIMS_CONFIG,
};

/** Derived, minimal claims a facility's access tokens may carry; never the basic four. */
const TOKEN_UNITS: ReadonlySet<string> = new Set(['age', 'resident_of', ...AGE_THRESHOLDS.map((n) => `age_over_${n}`)]);

const CLIENTS_CHANNEL = 'clients';
const TTL_MS = 30_000;

export interface ClaimsRequestArgs {
  use: string;
  scope: string;
  claims: Record<string, unknown>;
  rejected: string[];
}

export interface ClaimsPluginDeps {
  db: Database;
  bus: EventBus;
  log: Logger;
  issuer: string;
  policies: ClaimPolicies;
  facts: FactsReader;
  engine: ClaimsEngine;
  releases: ReleaseLog;
  activeClaims: (personId: string, facilityId: string) => Promise<string[] | undefined>;
}

interface ClientLike {
  clientId: string;
  subjectType?: string;
}

function requestedClaims(args: Pick<ClaimsRequestArgs, 'scope' | 'claims' | 'rejected'>): Set<string> {
  const out = new Set<string>();
  for (const scope of args.scope.split(' ')) for (const claim of SCOPE_CLAIMS[scope] ?? []) out.add(claim);
  for (const claim of Object.keys(args.claims)) out.add(claim);
  for (const claim of args.rejected) out.delete(claim);
  return out;
}

/** Claim names for the release record: top-level names, and verified_claims' inner names. */
function releasedNames(claims: Record<string, unknown>): string[] {
  const names = Object.keys(claims).filter((c) => c !== 'sub');
  const verified = claims.verified_claims;
  for (const entry of Array.isArray(verified) ? verified : verified ? [verified] : []) {
    for (const inner of Object.keys((entry as { claims?: object }).claims ?? {})) names.push(`verified_claims.${inner}`);
  }
  return [...new Set(names)];
}

export class ClaimsPlugin {
  readonly claimsConfig = DERIVED_CLAIMS_CONFIG;
  readonly discovery: Record<string, unknown>;
  readonly assertClaimsParameter = assertClaimsParameter;
  readonly #d: ClaimsPluginDeps;
  readonly #facilityOf = new Map<string, { value: string | undefined; expires: number }>();

  constructor(deps: ClaimsPluginDeps) {
    this.#d = deps;
    this.discovery = idaDiscovery(deps.issuer);
  }

  async start(): Promise<void> {
    await this.#d.bus.subscribe(CLIENTS_CHANNEL, (clientId) => this.#facilityOf.delete(clientId));
  }

  /** The facility a client belongs to (oidc_clients.facility_id), cached briefly. */
  async facilityOf(clientId: string): Promise<string | undefined> {
    const hit = this.#facilityOf.get(clientId);
    if (hit && hit.expires > Date.now()) return hit.value;
    const row = (await this.#d.db('oidc_clients').where({ client_id: clientId }).first('facility_id')) as { facility_id: string | null } | undefined;
    const value = row?.facility_id ?? undefined;
    this.#facilityOf.set(clientId, { value, expires: Date.now() + TTL_MS });
    if (this.#facilityOf.size > 10_000) this.#facilityOf.delete(this.#facilityOf.keys().next().value!);
    return value;
  }

  /** The pairwise sector of a facility's client (its policy's sector); undefined for other clients. */
  async pairwiseSector(clientId: string): Promise<string | undefined> {
    const facilityId = await this.facilityOf(clientId);
    return facilityId ? (await this.#d.policies.find(facilityId))?.sector : undefined;
  }

  /** The consent units of the account's own person at the facility, or undefined when not registered. */
  async #consent(accountId: string, facilityId: string): Promise<{ personId: string; units: Set<string> } | undefined> {
    const personId = await this.#d.facts.selfPersonId(accountId);
    const units = personId ? await this.#d.activeClaims(personId, facilityId) : undefined;
    return personId && units ? { personId, units: new Set(units) } : undefined;
  }

  /** May this facility's client see anything? Only with pairwise subjects, unless its policy allows public ones. */
  async #subjectAllowed(client: ClientLike, facilityId: string): Promise<boolean> {
    if (client.subjectType === 'pairwise') return true;
    const allowed = (await this.#d.policies.find(facilityId))?.subjectType === 'public';
    if (!allowed) this.#d.log.warn({ clientId: client.clientId, facilityId }, 'facility client with public subjects against its policy: no claims released');
    return allowed;
  }

  /**
   * The claims for a facility's client (ID token, userinfo); undefined when the client belongs to
   * no facility, so find-account answers as for any client. The release is recorded.
   */
  async facilityClaims(ctx: KoaContextWithOIDC | undefined, accountId: string, args: ClaimsRequestArgs): Promise<Record<string, unknown> | undefined> {
    const client = ctx?.oidc?.client as ClientLike | undefined;
    if (!client) return undefined;
    const facilityId = await this.facilityOf(client.clientId);
    if (!facilityId) return undefined;
    const consent = (await this.#subjectAllowed(client, facilityId)) ? await this.#consent(accountId, facilityId) : undefined;
    if (!consent) return {};
    const facts = await this.#d.facts.person(consent.personId);
    if (!facts) return {};
    const claims = await this.#d.engine.claimsFromFacts(facts, {
      consented: consent.units,
      requested: requestedClaims(args),
      ...('verified_claims' in args.claims ? { verifiedClaimsRequest: args.claims.verified_claims } : {}),
    });
    await this.#record(consent.personId, accountId, client.clientId, facilityId, args.use, claims);
    return claims;
  }

  /** Records what any other client receives: the returned claims its scopes and claims request let through. */
  async recordOther(ctx: KoaContextWithOIDC | undefined, accountId: string, args: ClaimsRequestArgs, returned: Record<string, unknown>): Promise<void> {
    const client = ctx?.oidc?.client as ClientLike | undefined;
    if (!client) return;
    const requested = requestedClaims(args);
    const released = Object.fromEntries(Object.entries(returned).filter(([name]) => requested.has(name)));
    const personId = await this.#d.facts.selfPersonId(accountId);
    if (personId) await this.#record(personId, accountId, client.clientId, undefined, args.use, released);
  }

  async #record(personId: string, accountId: string, clientId: string, facilityId: string | undefined, use: string, claims: Record<string, unknown>): Promise<void> {
    const names = releasedNames(claims);
    if (names.length === 0) return;
    const kind: ReleaseUse = use === 'userinfo' ? 'userinfo' : use === 'access_token' ? 'access_token' : 'id_token';
    await this.#d.releases.record({ personId, accountId, clientId, facilityId, use: kind, claims: names });
  }

  /** extraTokenClaims: a facility's access tokens carry its consented derived claims that the scope asks for. */
  async extraTokenClaims(
    ctx: KoaContextWithOIDC | undefined,
    token: { kind?: string; accountId?: string; clientId?: string; scope?: string; client?: ClientLike },
  ): Promise<Record<string, unknown> | undefined> {
    if (token.kind !== 'AccessToken' || !token.accountId || !token.clientId) return undefined;
    const facilityId = await this.facilityOf(token.clientId);
    if (!facilityId) return undefined;
    const current = ctx?.oidc?.client as ClientLike | undefined;
    const client = token.client ?? (current?.clientId === token.clientId ? current : { clientId: token.clientId });
    if (!(await this.#subjectAllowed(client, facilityId))) return undefined;
    const consent = await this.#consent(token.accountId, facilityId);
    if (!consent) return undefined;
    const units = new Set([...consent.units].filter((u) => TOKEN_UNITS.has(u)));
    if (units.size === 0) return undefined;
    const facts = await this.#d.facts.person(consent.personId);
    if (!facts) return undefined;
    // A resource server's token has the resource's scopes; the OpenID scopes of the grant say what was asked.
    const grant = (ctx?.oidc as { grant?: { getOIDCScope?(): string } } | undefined)?.grant;
    const scope = `${String(token.scope ?? '')} ${grant?.getOIDCScope?.() ?? ''}`;
    const requested = requestedClaims({ scope, claims: {}, rejected: [] });
    const claims = await this.#d.engine.claimsFromFacts(facts, { consented: units, requested });
    await this.#record(consent.personId, token.accountId, token.clientId, facilityId, 'access_token', claims);
    return Object.keys(claims).length ? claims : undefined;
  }
}

