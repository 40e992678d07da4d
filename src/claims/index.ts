/**
 * The claims engine of a platform: one instance shared by oidc-provider (find-account, tokens) and
 * the household and registration APIs (review screens).
 */
import type { Platform } from '../platform.ts';
import { ClaimsEngine } from './engine.ts';
import { FactsReader } from './facts.ts';
import { ClaimsPlugin } from './oidc-plugin.ts';
import { ReleaseLog } from './releases.ts';
import { idaIds } from './verified-claims.ts';
import type { MunicipalityName } from './derive.ts';
import { readCatalog } from '../facilities/facility-service.ts';

export interface ClaimsRuntime {
  facts: FactsReader;
  engine: ClaimsEngine;
  releases: ReleaseLog;
  plugin: ClaimsPlugin;
}

const runtimes = new WeakMap<Platform, ClaimsRuntime>();

/** The municipalities of config/municipalities.json, read once: `resident_of` maps addresses with them. */
let catalogMunicipalities: readonly MunicipalityName[] | undefined;
export function configuredMunicipalities(): readonly MunicipalityName[] {
  catalogMunicipalities ??= readCatalog().municipalities;
  return catalogMunicipalities;
}

export async function activeRegistrationClaims(platform: Platform, personId: string, facilityId: string): Promise<string[] | undefined> {
  const row = (await platform.db('registrations').where({ person_id: personId, facility_id: facilityId, status: 'active' }).first('claims')) as
    | { claims: string[] | string }
    | undefined;
  if (!row) return undefined;
  return typeof row.claims === 'string' ? (JSON.parse(row.claims) as string[]) : row.claims;
}

export function claimsRuntimeOf(platform: Platform): ClaimsRuntime {
  let runtime = runtimes.get(platform);
  if (!runtime) {
    const facts = new FactsReader(platform.db, platform.box);
    const engine = new ClaimsEngine({ facts, municipalities: configuredMunicipalities, ids: idaIds(platform.config.issuer), production: platform.config.production });
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
      activeClaims: (personId, facilityId) => activeRegistrationClaims(platform, personId, facilityId),
    });
    runtime = { facts, engine, releases, plugin };
    runtimes.set(platform, runtime);
  }
  return runtime;
}

export { ClaimsEngine, FactsReader, ClaimsPlugin, ReleaseLog };
export { ageAt, residentOf, dateInJapan } from './derive.ts';
export { selectVerifiedClaims, idaIds, idaDiscovery } from './verified-claims.ts';
export { checkVerifiedClaimsRequest, assertClaimsParameter } from './ida-request.ts';
export * from './catalog.ts';
