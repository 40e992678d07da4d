/**
 * Per facility: whether an alert for a refused face check-in keeps a thumbnail of the photo, and
 * for how long (1 to 60 minutes; off unless a facility or municipal admin turns it on).
 */
import { z } from 'zod';
import type { Database } from '../../db/database.ts';

export const DEFAULT_THUMBNAIL_TTL_SECONDS = 600;

export const alertSettingsSchema = z
  .object({
    thumbnails: z.boolean(),
    ttlSeconds: z.number().int().min(60).max(3600).default(DEFAULT_THUMBNAIL_TTL_SECONDS),
  })
  .strict();

export type AlertSettings = z.output<typeof alertSettingsSchema>;

export class AlertSettingsStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async get(facilityId: string): Promise<AlertSettings> {
    const row = (await this.#db('manager_facility_settings').where({ facility_id: facilityId }).first('alert_thumbnails', 'thumbnail_ttl_seconds')) as
      | { alert_thumbnails: boolean; thumbnail_ttl_seconds: number }
      | undefined;
    return row ? { thumbnails: row.alert_thumbnails, ttlSeconds: row.thumbnail_ttl_seconds } : { thumbnails: false, ttlSeconds: DEFAULT_THUMBNAIL_TTL_SECONDS };
  }

  async put(facilityId: string, settings: AlertSettings, accountId: string): Promise<AlertSettings> {
    await this.#db('manager_facility_settings')
      .insert({ facility_id: facilityId, alert_thumbnails: settings.thumbnails, thumbnail_ttl_seconds: settings.ttlSeconds, updated_by_account_id: accountId, updated_at: new Date() })
      .onConflict('facility_id')
      .merge(['alert_thumbnails', 'thumbnail_ttl_seconds', 'updated_by_account_id', 'updated_at']);
    return this.get(facilityId);
  }
}
