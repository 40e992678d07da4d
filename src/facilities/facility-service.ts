/**
 * Municipalities and facilities. config/municipalities.json is seed data: `pass seed` and the
 * demo import it into the database (`importCatalog`), and every reader — here, facility-store.ts,
 * municipalities.ts — reads the database, so there is one source at run time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Database } from '../db/database.ts';
import { ClaimPolicies, claimPolicySchema } from './claim-policy.ts';
import { findFacility, listFacilities, type Facility } from './facility-store.ts';
import { listMunicipalities, type Municipality } from './municipalities.ts';
import { DEFAULT_PAD_POLICY, facilityPadPolicy, setFacilityPadPolicy, type PadPolicy } from './pad-policy.ts';
import { DEFAULT_STATUS_LIST_MAX_AGE_SECONDS, facilityStatusListMaxAge, setFacilityStatusListMaxAge } from './wallet-status-policy.ts';

export type { Facility } from './facility-store.ts';
export type { Municipality } from './municipalities.ts';

const MUNICIPALITIES_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../config/municipalities.json');

const catalogSchema = z.object({
  municipalities: z.array(
    z.object({
      code: z.string().regex(/^\d{6}$/, '全国地方公共団体コード has 6 digits'),
      nameJa: z.string().min(1),
      nameEn: z.string().min(1),
      prefectureJa: z.string().min(1),
    }),
  ),
  facilities: z.array(
    z.object({
      id: z.string().regex(/^[a-z0-9-]{3,64}$/),
      municipalityCode: z.string().regex(/^\d{6}$/),
      kind: z.enum(['playground', 'hospital', 'shelter', 'library', 'booking', 'other']),
      nameJa: z.string().min(1),
      nameEn: z.string().min(1),
      /** What the facility may ask for (src/facilities/claim-policy.ts). */
      claimPolicy: claimPolicySchema.optional(),
    }),
  ),
});

export type Catalog = z.infer<typeof catalogSchema>;

/** The seed catalogue; read it only to import it. */
export function readCatalog(file = MUNICIPALITIES_FILE): Catalog {
  const parsed = catalogSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export class FacilityService {
  readonly #db: Database;
  /** Claim policies per facility (issue #6). */
  readonly policies: ClaimPolicies;

  constructor(db: Database) {
    this.#db = db;
    this.policies = new ClaimPolicies(db);
  }

  /** Inserts or updates the municipalities and facilities of a catalog; idempotent. */
  async importCatalog(catalog: Catalog): Promise<{ municipalities: number; facilities: number }> {
    await this.#db.transaction(async (trx) => {
      for (const m of catalog.municipalities) {
        await trx('municipalities')
          .insert({ code: m.code, name_ja: m.nameJa, name_en: m.nameEn, prefecture_ja: m.prefectureJa })
          .onConflict('code')
          .merge();
      }
      for (const f of catalog.facilities) {
        await trx('facilities')
          .insert({ id: f.id, municipality_code: f.municipalityCode, kind: f.kind, name_ja: f.nameJa, name_en: f.nameEn })
          .onConflict('id')
          .merge();
        if (f.claimPolicy) await this.policies.put(f.id, f.claimPolicy, trx);
      }
    });
    return { municipalities: catalog.municipalities.length, facilities: catalog.facilities.length };
  }

  municipalities(): Promise<Municipality[]> {
    return listMunicipalities(this.#db);
  }

  find(id: string): Promise<Facility | undefined> {
    return findFacility(this.#db, id);
  }

  list(): Promise<Facility[]> {
    return listFacilities(this.#db);
  }

  /** The facility's presentation-attack policy for face check-ins (pad-policy.ts); the default for an unknown facility. */
  async padPolicy(id: string): Promise<PadPolicy> {
    return (await facilityPadPolicy(this.#db, id)) ?? DEFAULT_PAD_POLICY;
  }

  /** False when there is no such facility. */
  setPadPolicy(id: string, policy: PadPolicy, db: Knex = this.#db): Promise<boolean> {
    return setFacilityPadPolicy(db, id, policy);
  }

  /** How old a status list the facility's kiosks hold may be for a wallet presentation (wallet-status-policy.ts); the default for an unknown facility. */
  async statusListMaxAge(id: string): Promise<number> {
    return (await facilityStatusListMaxAge(this.#db, id)) ?? DEFAULT_STATUS_LIST_MAX_AGE_SECONDS;
  }

  /** False when there is no such facility. */
  setStatusListMaxAge(id: string, seconds: number, db: Knex = this.#db): Promise<boolean> {
    return setFacilityStatusListMaxAge(db, id, seconds);
  }
}
