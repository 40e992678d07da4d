/**
 * The thumbnail of a refused face check-in, for the facilities that ask for one: shrunk to
 * 160×160 JPEG (enough to recognise a regular at the door, too small for anything else), sealed
 * with PASS's encryption key, invisible once expired and deleted by the purge. The photo and
 * the thumbnail never reach a log line or an event: events say only that a thumbnail exists.
 */
import sharp from 'sharp';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import type { AlertSettingsStore } from './alert-settings.ts';

const SIZE = 160;

function aad(checkinId: string): string {
  return `alert-thumbnail:${checkinId}`;
}

export class ThumbnailStore {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #settings: AlertSettingsStore;

  constructor(db: Database, box: SecretBox, settings: AlertSettingsStore) {
    this.#db = db;
    this.#box = box;
    this.#settings = settings;
  }

  /** Keeps a thumbnail when the facility wants one; true when kept. */
  async keep(checkinId: string, facilityId: string, photo: Uint8Array): Promise<boolean> {
    const settings = await this.#settings.get(facilityId);
    if (!settings.thumbnails) return false;
    const jpeg = await sharp(photo, { failOn: 'error', limitInputPixels: 40_000_000 }).rotate().resize(SIZE, SIZE, { fit: 'cover' }).jpeg({ quality: 70 }).toBuffer();
    await this.#db('manager_alert_thumbnails')
      .insert({ checkin_id: checkinId, facility_id: facilityId, image_sealed: this.#box.seal(jpeg, aad(checkinId)), expires_at: new Date(Date.now() + settings.ttlSeconds * 1000) })
      .onConflict('checkin_id')
      .ignore();
    return true;
  }

  async find(checkinId: string): Promise<Buffer | undefined> {
    const row = (await this.#db('manager_alert_thumbnails').where({ checkin_id: checkinId }).andWhere('expires_at', '>', new Date()).first('image_sealed')) as
      | { image_sealed: string }
      | undefined;
    return row ? this.#box.open(row.image_sealed, aad(checkinId)) : undefined;
  }

  /** Which of these check-ins still have a thumbnail. */
  async present(checkinIds: readonly string[]): Promise<Set<string>> {
    if (checkinIds.length === 0) return new Set();
    const rows = (await this.#db('manager_alert_thumbnails').whereIn('checkin_id', checkinIds).andWhere('expires_at', '>', new Date()).select('checkin_id')) as Array<{ checkin_id: string }>;
    return new Set(rows.map((r) => r.checkin_id));
  }

  async purge(): Promise<number> {
    return this.#db('manager_alert_thumbnails').where('expires_at', '<=', new Date()).delete();
  }
}
