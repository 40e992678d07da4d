/**
 * Per facility: what its kiosks show on their public screen, in front of the queue — the name rule
 * (given_name, full_name, none) and the age rule (children_only, always, never); src/checkins'
 * display.ts applies them and holds the defaults. Facility and municipal admins change them in
 * PASS Manager; everything else about a person stays in the Manager's staff screens.
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import { AGE_DISPLAYS, DEFAULT_KIOSK_DISPLAY, NAME_DISPLAYS, type AgeDisplay, type KioskDisplayPolicy, type NameDisplay } from '../../checkins/display.ts';

export const kioskDisplaySchema = z.object({ name: z.enum(NAME_DISPLAYS), age: z.enum(AGE_DISPLAYS) }).strict();

function known<T extends string>(choices: readonly T[], value: string | null | undefined, fallback: T): T {
  return choices.includes(value as T) ? (value as T) : fallback;
}

export class KioskDisplaySettings {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async get(facilityId: string): Promise<KioskDisplayPolicy> {
    const row = (await this.#db('manager_facility_settings').where({ facility_id: facilityId }).first('kiosk_name_display', 'kiosk_age_display')) as
      | { kiosk_name_display: string; kiosk_age_display: string }
      | undefined;
    // A value this version does not know (written by a later one) reads as the default.
    return {
      name: known<NameDisplay>(NAME_DISPLAYS, row?.kiosk_name_display, DEFAULT_KIOSK_DISPLAY.name),
      age: known<AgeDisplay>(AGE_DISPLAYS, row?.kiosk_age_display, DEFAULT_KIOSK_DISPLAY.age),
    };
  }

  async put(facilityId: string, policy: KioskDisplayPolicy, accountId: string): Promise<KioskDisplayPolicy> {
    await this.#db('manager_facility_settings')
      .insert({ facility_id: facilityId, kiosk_name_display: policy.name, kiosk_age_display: policy.age, updated_by_account_id: accountId, updated_at: new Date() })
      .onConflict('facility_id')
      .merge(['kiosk_name_display', 'kiosk_age_display', 'updated_by_account_id', 'updated_at']);
    return this.get(facilityId);
  }
}
