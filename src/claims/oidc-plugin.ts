/**
 * The claims engine plugged into oidc-provider (src/oidc/find-account.ts, provider-config.ts):
 *   - a client that belongs to a facility receives, in ID tokens and userinfo, only the claims of
 *     the resident's active registration at that facility that it also asked for;
 *   - its access tokens (JWT, or opaque ones via introspection) carry only the consented derived
 *     claims (age, age_over_N, resident_of) that its scopes ask for;
 *   - subjects are pairwise per facility sector (the facility's policy), public only where allowed;
 *   - the resident's registration at a facility is the consent of its clients at login, in every
 *     browser session (loadExistingGrant); claims outside the policy are rejected in the grant;
 *   - every release is recorded, for facility clients and for every other client alike.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Database } from '../db/database.ts';
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/logger.ts';
import { defaultSector, type ClaimPolicies, type ClaimPolicy } from '../facilities/claim-policy.ts';
import { PASS_FACILITY } from '../oidc/clients/client-policy.ts';
import { clientFacilityId } from '../oidc/clients/facility-clients.ts';
import { AGE_THRESHOLDS, DERIVED_CLAIMS_CONFIG } from './catalog.ts';
import { clientUnits } from './client-claim-policies.ts';
import type { ClaimsEngine } from './engine.ts';
import { analyseFacilityRequest, SCOPE_CLAIMS, type FacilityRequest } from './facility-request.ts';
import { applyFacilityConsent, type GrantLike } from './facility-grant.ts';
import type { FactsReader } from './facts.ts';
import { assertClaimsParameter } from './ida-request.ts';
import type { ReleaseLog, ReleaseUse } from './releases.ts';
import { idaDiscovery } from './verified-claims.ts';

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

/** The members of oidc-provider's OIDCContext that loading a grant reads. */
interface GrantLoadingContext {
  client: { clientId: string };
  session: { accountId?: string; grantIdFor(clientId: string): string | undefined };
  result?: { consent?: { grantId?: string } };
  prompts: Set<string>;
  requestParamOIDCScopes: Set<string>;
  requestParamScopes: Set<string>;
  claims: unknown;
  resourceServers?: Record<string, { scopes: Set<string> }>;
}

/** The resource servers' scopes the request asks for, per indicator. */
function requestedResourceScopes(oidc: GrantLoadingContext): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
    out[indicator] = [...oidc.requestParamScopes].filter((scope) => server.scopes.has(scope));
  }
  return out;
}

interface ClientLike {
  clientId: string;
  subjectType?: string;
  /** The client's facility, as oidc-provider already holds it (src/oidc/clients/client-policy.ts). */
  [PASS_FACILITY]?: unknown;
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

function facilityOfClient(client: ClientLike): string | undefined {
  const facilityId = client[PASS_FACILITY];
  return typeof facilityId === 'string' ? facilityId : undefined;
}

interface ClientFacts {
  facilityId: string | undefined;
  /** Undefined: the client may receive everything its facility's policy allows. */
  units: Set<string> | undefined;
}

export class ClaimsPlugin {
  readonly claimsConfig = DERIVED_CLAIMS_CONFIG;
  readonly discovery: Record<string, unknown>;
  readonly assertClaimsParameter = assertClaimsParameter;
  readonly #d: ClaimsPluginDeps;
  readonly #clientFacts = new Map<string, { value: ClientFacts; expires: number }>();

  constructor(deps: ClaimsPluginDeps) {
    this.#d = deps;
    this.discovery = idaDiscovery(deps.issuer);
  }

  async start(): Promise<void> {
    await this.#d.bus.subscribe(CLIENTS_CHANNEL, (clientId) => this.#clientFacts.delete(clientId));
  }

  /**
   * The facility a client belongs to, cached briefly. Pass the client when oidc-provider has it at
   * hand: its `pass_facility_id` saves asking src/oidc.
   */
  async facilityOf(clientId: string, client?: ClientLike): Promise<string | undefined> {
    return (await this.#clientOf(clientId, client)).facilityId;
  }

  /**
   * A client's facility and, where PASS Manager narrowed it, the claim units the client itself may
   * receive (client_claim_policies, a subset of its facility's policy), cached briefly and dropped
   * when the client changes. With the client at hand, one query for a facility's client, none for
   * any other.
   */
  async #clientOf(clientId: string, client?: ClientLike): Promise<ClientFacts> {
    const hit = this.#clientFacts.get(clientId);
    if (hit && hit.expires > Date.now()) return hit.value;
    const facilityId = client?.clientId === clientId ? facilityOfClient(client) : await clientFacilityId(this.#d.db, clientId);
    const units = facilityId ? await clientUnits(this.#d.db, clientId) : undefined;
    const value: ClientFacts = { facilityId, units: units ? new Set(units) : undefined };
    this.#clientFacts.set(clientId, { value, expires: Date.now() + TTL_MS });
    if (this.#clientFacts.size > 10_000) this.#clientFacts.delete(this.#clientFacts.keys().next().value!);
    return value;
  }

  /**
   * The pairwise sector of a facility's client: its policy's sector, or the facility alone where it
   * has no policy (yet); undefined for other clients. Never one found in the client's own metadata:
   * a facility's clients share it whatever their hosts (src/oidc/clients/facility-sectors.ts).
   */
  async pairwiseSector(clientId: string, client?: ClientLike): Promise<string | undefined> {
    const facilityId = await this.facilityOf(clientId, client);
    return facilityId ? ((await this.#d.policies.find(facilityId))?.sector ?? defaultSector(facilityId)) : undefined;
  }

  /** The consent units of the account's own person at the facility, or undefined when not registered. */
  async #consent(accountId: string, facilityId: string): Promise<{ personId: string; units: Set<string> } | undefined> {
    const personId = await this.#d.facts.selfPersonId(accountId);
    const units = personId ? await this.#d.activeClaims(personId, facilityId) : undefined;
    return personId && units ? { personId, units: new Set(units) } : undefined;
  }

  /** The facility of a client and its claim policy; undefined for a client of no facility (or one without a policy). */
  async facilityPolicyOf(clientId: string, client?: ClientLike): Promise<{ facilityId: string; policy: ClaimPolicy } | undefined> {
    const facilityId = await this.facilityOf(clientId, client);
    const policy = facilityId ? await this.#d.policies.find(facilityId) : undefined;
    return facilityId && policy ? { facilityId, policy } : undefined;
  }

  /**
   * oidc-provider's loadExistingGrant. The grant of this browser session comes first (as by
   * default). Without one, a facility's client gets a grant made from the resident's registration
   * at the facility — one consent for the facility's kiosks and systems, in every browser session —
   * when that registration covers every claim the request asks for that the policy allows.
   * Otherwise, or with prompt=consent, the consent screen asks (src/identity/interactions).
   */
  readonly loadExistingGrant = async (ctx: KoaContextWithOIDC): Promise<InstanceType<KoaContextWithOIDC['oidc']['provider']['Grant']> | undefined> => {
    const oidc = ctx.oidc as unknown as GrantLoadingContext;
    const { Grant } = ctx.oidc.provider;
    const clientId = oidc.client.clientId;
    const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(clientId);
    if (grantId) {
      const grant = await Grant.find(grantId);
      if (grant) return grant;
    }
    const accountId = oidc.session.accountId;
    if (!accountId || oidc.prompts.has('consent')) return undefined;
    const facility = await this.facilityPolicyOf(clientId, ctx.oidc.client as ClientLike | undefined);
    if (!facility) return undefined;
    const consent = await this.#consent(accountId, facility.facilityId);
    if (!consent) return undefined;
    const request = analyseFacilityRequest(facility.policy, oidc.requestParamOIDCScopes, oidc.claims);
    if (request.units.some((unit) => !consent.units.has(unit))) return undefined;
    const grant = new Grant({ accountId, clientId });
    applyFacilityConsent(grant as unknown as GrantLike, {
      scopes: oidc.requestParamOIDCScopes,
      request,
      consented: consent.units,
      resourceScopes: requestedResourceScopes(oidc),
    });
    await grant.save();
    return grant;
  };

  /** What a facility's client asks for, against its policy (the consent screen uses it too). */
  analyse(policy: ClaimPolicy, scopes: Iterable<string>, claimsParameter: unknown): FacilityRequest {
    return analyseFacilityRequest(policy, scopes, claimsParameter);
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
    const { facilityId, units: clientUnits } = await this.#clientOf(client.clientId, client);
    if (!facilityId) return undefined;
    const consent = (await this.#subjectAllowed(client, facilityId)) ? await this.#consent(accountId, facilityId) : undefined;
    if (!consent) return {};
    const facts = await this.#d.facts.person(consent.personId);
    if (!facts) return {};
    // The resident consented for the facility; one of its systems may be allowed less of it.
    const consented = clientUnits ? new Set([...consent.units].filter((unit) => clientUnits.has(unit))) : consent.units;
    const claims = await this.#d.engine.claimsFromFacts(facts, {
      consented,
      requested: requestedClaims(args),
      ...('verified_claims' in args.claims ? { verifiedClaimsRequest: args.claims.verified_claims } : {}),
    });
    await this.#record(consent.personId, accountId, client.clientId, facilityId, args.use, claims);
    return claims;
  }

  /**
   * Records what any other client receives: the returned claims its scopes and claims request let
   * through, for the account's own person (`selfPersonId`, already looked up by the caller).
   */
  async recordOther(
    ctx: KoaContextWithOIDC | undefined,
    accountId: string,
    selfPersonId: string | undefined,
    args: ClaimsRequestArgs,
    returned: Record<string, unknown>,
  ): Promise<void> {
    const client = ctx?.oidc?.client as ClientLike | undefined;
    if (!client || !selfPersonId) return;
    const requested = requestedClaims(args);
    const released = Object.fromEntries(Object.entries(returned).filter(([name]) => requested.has(name)));
    await this.#record(selfPersonId, accountId, client.clientId, undefined, args.use, released);
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
    const current = ctx?.oidc?.client as ClientLike | undefined;
    const known = token.client ?? (current?.clientId === token.clientId ? current : undefined);
    const facilityId = await this.facilityOf(token.clientId, known);
    if (!facilityId) return undefined;
    const client = known ?? { clientId: token.clientId };
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

