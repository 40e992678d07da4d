/**
 * Facilities hold nothing about a resident; a resident's copy names the facilities of their
 * registrations and check-ins in both languages (docs/data-rights.md).
 */
import type { Knex } from 'knex';
import { listFacilities } from './facility-store.ts';

export type FacilityNames = Map<string, { ja: string; en: string }>;

export async function facilityNames(db: Knex): Promise<FacilityNames> {
  return new Map((await listFacilities(db)).map((f) => [f.id, { ja: f.nameJa, en: f.nameEn }]));
}
