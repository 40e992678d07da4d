/**
 * The municipalities PASS serves, read from the database (seeded from config/municipalities.json
 * by `pass seed`). The one reader of the `municipalities` table for other capabilities.
 */
import type { Knex } from 'knex';
import type { MunicipalityName } from '../claims/derive.ts';

export interface Municipality {
  code: string;
  nameJa: string;
  nameEn: string;
  prefectureJa: string;
}

interface MunicipalityRow {
  code: string;
  name_ja: string;
  name_en: string;
  prefecture_ja: string;
}

function toMunicipality(r: MunicipalityRow): Municipality {
  return { code: r.code, nameJa: r.name_ja, nameEn: r.name_en, prefectureJa: r.prefecture_ja };
}

/** What `resident_of` needs: the code and the prefix an address in the municipality starts with. */
export async function municipalityNames(db: Knex): Promise<MunicipalityName[]> {
  const rows = (await db('municipalities').select('code', 'prefecture_ja', 'name_ja')) as Array<Pick<MunicipalityRow, 'code' | 'prefecture_ja' | 'name_ja'>>;
  return rows.map((r) => ({ code: r.code, prefectureJa: r.prefecture_ja, nameJa: r.name_ja }));
}

/** Every municipality, by code. */
export async function listMunicipalities(db: Knex): Promise<Municipality[]> {
  const rows = (await db('municipalities').orderBy('code')) as MunicipalityRow[];
  return rows.map(toMunicipality);
}

/** The municipalities with these codes (one query, whatever the number). */
export async function municipalitiesByCode(db: Knex, codes: readonly string[]): Promise<Municipality[]> {
  if (codes.length === 0) return [];
  const rows = (await db('municipalities').whereIn('code', [...new Set(codes)])) as MunicipalityRow[];
  return rows.map(toMunicipality);
}

/** One municipality, or undefined for an unknown code. */
export async function findMunicipality(db: Knex, code: string): Promise<Municipality | undefined> {
  const row = (await db('municipalities').where({ code }).first()) as MunicipalityRow | undefined;
  return row ? toMunicipality(row) : undefined;
}

/**
 * `municipalityNames`, read at most once per `ttlMs`: `resident_of` is derived on every token and
 * check-in, and municipalities change only when the catalogue is seeded. An empty answer (a
 * database not seeded yet) is not kept.
 */
export function cachedMunicipalityNames(db: Knex, ttlMs = 60_000): () => Promise<MunicipalityName[]> {
  let kept: { names: MunicipalityName[]; expires: number } | undefined;
  return async () => {
    if (kept && kept.expires > Date.now()) return kept.names;
    const names = await municipalityNames(db);
    kept = names.length ? { names, expires: Date.now() + ttlMs } : undefined;
    return names;
  };
}
