/**
 * A facility's pairwise clients and oidc-provider's rules for finding a client's sector.
 *
 * oidc-provider finds a pairwise client's sector in the client's own metadata (its
 * lib/helpers/client_schema.js, after OpenID Connect Core §8.1): the host of its redirect URIs —
 * host *and port*, so http://127.0.0.1:4101/cb and http://127.0.0.1:4102/cb are two hosts — else a
 * sector_identifier_uri it must register; for a device-flow (or CIBA) client, which has no redirect
 * URI, the host of its jwks_uri, and so it must authenticate with private_key_jwt.
 *
 * None of that is needed for a client of a facility: its sector is its facility's (the claim
 * policy's `sector`, `facility:<id>` by default), and PASS computes its subjects from that sector
 * itself (provider-config.ts pairwiseIdentifier, src/claims pairwiseSector). Every client of a
 * facility — whatever its redirect hosts and ports, web or device flow, confidential or public —
 * gives a resident the same `sub`, and no client of another facility can get it. So for a
 * facility's pairwise client these rules, and only these, are lifted; what stays checked is PASS's
 * facility policy (client-policy.ts checkFacilitySubjects: pairwise unless the policy allows public,
 * no sector_identifier_uri outside the facility's sector, redirect hosts inside a host sector).
 * A pairwise client of no facility keeps every rule of oidc-provider: redirect URIs on two hosts
 * still need a sector_identifier_uri, and a device-flow client still needs private_key_jwt.
 */
import type Provider from 'oidc-provider';
import { PASS_FACILITY } from './client-policy.ts';

type Metadata = Record<string, unknown>;
type Rule = (this: Metadata, ...args: unknown[]) => unknown;

/**
 * The checks of oidc-provider's client schema that read `subject_type` to find a sector:
 *   required(): sector_identifier_uri for several redirect hosts; jwks_uri for a device-flow client;
 *   enums():    private_key_jwt (or self_signed_tls_client_auth) for a device-flow client.
 * Both check everything else too, and still do for a facility's client.
 */
const SECTOR_RULES = ['required', 'enums'] as const;

const INSTALLED = Symbol.for('pass.facility-sectors');

/** A pairwise client of a facility: its sector is the facility's, not one found in its metadata. */
function sectorIsFacilitys(metadata: Metadata): boolean {
  return metadata.subject_type === 'pairwise' && typeof metadata[PASS_FACILITY] === 'string';
}

/**
 * Lets a facility's pairwise clients through oidc-provider's sector rules: each rule runs as for a
 * client whose sector is settled (`subject_type` reads `public` while it runs), then the client is
 * pairwise again. Install once on every provider built (oidc-module.ts onBuild), before any client
 * is read. Throws at start when this oidc-provider's schema no longer has the rules, rather than
 * letting facility clients fail later.
 */
export function facilitySectorsDecide(provider: Provider): void {
  const schema = (provider.Client as unknown as { Schema?: { prototype: Record<string | symbol, unknown> } }).Schema?.prototype;
  if (!schema) throw new Error('oidc-provider has no Client.Schema: see src/oidc/clients/facility-sectors.ts');
  if (schema[INSTALLED]) return;
  for (const name of SECTOR_RULES) {
    const rule = schema[name];
    if (typeof rule !== 'function') throw new Error(`oidc-provider's client schema has no ${name}(): see src/oidc/clients/facility-sectors.ts`);
    schema[name] = function facilityAware(this: Metadata, ...args: unknown[]): unknown {
      if (!sectorIsFacilitys(this)) return (rule as Rule).apply(this, args);
      this.subject_type = 'public';
      try {
        return (rule as Rule).apply(this, args);
      } finally {
        this.subject_type = 'pairwise';
      }
    };
  }
  schema[INSTALLED] = true;
}
