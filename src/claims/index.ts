/**
 * The claims engine of a platform: one instance, made by the OIDC module (find-account, tokens)
 * and handed to the household, registration and Manager APIs (review screens) as `oidc.claims`.
 */
import type { Platform } from '../platform.ts';
import { ClaimsEngine } from './engine.ts';
import { FactsReader } from './facts.ts';
import { ClaimsPlugin } from './oidc-plugin.ts';
import { ReleaseLog } from './releases.ts';
import { idaIds } from './verified-claims.ts';
import { cachedMunicipalityNames } from '../facilities/municipalities.ts';
import { activeRegistrationClaims } from '../registrations/active-claims.ts';

export interface ClaimsRuntime {
  facts: FactsReader;
  engine: ClaimsEngine;
  releases: ReleaseLog;
  plugin: ClaimsPlugin;
}

export function createClaimsRuntime(platform: Platform): ClaimsRuntime {
  const facts = new FactsReader(platform.db, platform.box);
  // `resident_of` maps addresses with the municipalities of the database (src/facilities, the one source).
  const engine = new ClaimsEngine({ facts, municipalities: cachedMunicipalityNames(platform.db), ids: idaIds(platform.config.issuer), production: platform.config.production });
  const releases = new ReleaseLog(platform.db);
  const plugin = new ClaimsPlugin({
    db: platform.db,
    bus: platform.bus,
    log: platform.log,
    issuer: platform.config.issuer,
    policies: platform.facilities.policies,
    facts,
    engine,
    releases,
    activeClaims: (personId, facilityId) => activeRegistrationClaims(platform.db, personId, facilityId),
  });
  return { facts, engine, releases, plugin };
}

export { ClaimsEngine, FactsReader, ClaimsPlugin, ReleaseLog };
export { ageAt, residentOf, dateInJapan } from './derive.ts';
export { selectVerifiedClaims, idaIds, idaDiscovery } from './verified-claims.ts';
export { checkVerifiedClaimsRequest, assertClaimsParameter } from './ida-request.ts';
export * from './catalog.ts';
