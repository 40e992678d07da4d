/**
 * The kiosk display setting in PASS Manager's management API: staff of a facility read what its
 * kiosks show in public; a facility admin (or the municipal admin) changes it, and the change and
 * its author are audited.
 */
import type { Database } from '../../db/database.ts';
import type { KioskDisplayPolicy } from '../../checkins/display.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { KioskDisplaySettings } from '../kiosk-display/display-settings.ts';
import { facilityOf, type StaffPrincipal } from '../staff-scope.ts';
import { administered } from './facility-policies.ts';

export { kioskDisplaySchema } from '../kiosk-display/display-settings.ts';

export class KioskDisplayAdmin {
  readonly #db: Database;
  readonly #settings: KioskDisplaySettings;

  constructor(db: Database) {
    this.#db = db;
    this.#settings = new KioskDisplaySettings(db);
  }

  async get(principal: StaffPrincipal, facilityId: string): Promise<KioskDisplayPolicy> {
    return this.#settings.get(facilityOf(principal, facilityId).id);
  }

  async set(principal: StaffPrincipal, facilityId: string, policy: KioskDisplayPolicy): Promise<KioskDisplayPolicy> {
    const facility = administered(principal, facilityId);
    const saved = await this.#settings.put(facility.id, policy, principal.accountId);
    await appendAudit(this.#db, { actorAccountId: principal.accountId, action: 'manager.kiosk_display_changed', facilityId: facility.id, details: { ...saved } });
    return saved;
  }
}
