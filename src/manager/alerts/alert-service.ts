/**
 * Alerts are the refused check-ins of a facility (the check-in record is the alert; nothing is
 * copied): kiosk, time, method, reason, whether a thumbnail is still kept, and the staff member
 * who acknowledged it and when. An acknowledgement is stored once (the first one stands) and told
 * to every node on the bus, so every open Manager page shows it.
 */
import type { Database } from '../../db/database.ts';
import type { EventBus } from '../../core/event-bus.ts';
import { NotFoundError } from '../../core/errors.ts';
import { audit } from '../../households/audit.ts';
import { facilitiesFor, facilityOf, type StaffPrincipal } from '../staff-scope.ts';
import type { ThumbnailStore } from './thumbnails.ts';

export const ALERT_ACKS_CHANNEL = 'manager-alert-acks';
/** Open alerts older than this are no longer "live"; the history keeps them. */
export const OPEN_ALERT_WINDOW_MS = 7 * 86400_000;

export interface Alert {
  id: string;
  facilityId: string;
  kioskId: string | null;
  kioskName: string | null;
  method: string;
  reason: string;
  at: string;
  thumbnail: boolean;
  ack: { by: string | null; at: string } | null;
}

export interface AckEvent {
  id: string;
  facilityId: string;
  by: string | null;
  at: string;
}

interface Row {
  id: string;
  facility_id: string;
  kiosk_id: string | null;
  kiosk_name: string | null;
  method: string;
  reason: string | null;
  recorded_at: Date;
  acked_at: Date | null;
  acked_by: string | null;
}

export class AlertService {
  readonly #db: Database;
  readonly #bus: EventBus;
  readonly #thumbnails: ThumbnailStore;

  constructor(db: Database, bus: EventBus, thumbnails: ThumbnailStore) {
    this.#db = db;
    this.#bus = bus;
    this.#thumbnails = thumbnails;
  }

  #base(facilityIds: readonly string[]) {
    return this.#db('checkins as c')
      .leftJoin('kiosks as k', 'k.id', 'c.kiosk_id')
      .leftJoin('manager_alert_acks as a', 'a.checkin_id', 'c.id')
      .leftJoin('accounts as ac', 'ac.id', 'a.acked_by_account_id')
      .whereIn('c.facility_id', facilityIds)
      .andWhere('c.result', 'rejected')
      .select('c.id', 'c.facility_id', 'c.kiosk_id', 'k.name as kiosk_name', 'c.method', 'c.reason', 'c.recorded_at', 'a.acked_at', 'ac.email as acked_by');
  }

  async #toAlerts(rows: Row[]): Promise<Alert[]> {
    const kept = await this.#thumbnails.present(rows.map((r) => r.id));
    return rows.map((r) => ({
      id: r.id,
      facilityId: r.facility_id,
      kioskId: r.kiosk_id,
      kioskName: r.kiosk_name,
      method: r.method,
      reason: r.reason ?? 'unknown',
      at: new Date(r.recorded_at).toISOString(),
      thumbnail: kept.has(r.id),
      ack: r.acked_at ? { by: r.acked_by, at: new Date(r.acked_at).toISOString() } : null,
    }));
  }

  /** Newest first: open ones (not acknowledged, last 7 days) or every one of the last 7 days. */
  async list(principal: StaffPrincipal, options: { facility?: string | undefined; status: 'open' | 'all'; limit: number }): Promise<Alert[]> {
    const facilities = facilitiesFor(principal, options.facility).map((f) => f.id);
    const query = this.#base(facilities).andWhere('c.recorded_at', '>', new Date(Date.now() - OPEN_ALERT_WINDOW_MS));
    if (options.status === 'open') query.whereNull('a.checkin_id');
    return this.#toAlerts((await query.orderBy('c.recorded_at', 'desc').limit(options.limit)) as Row[]);
  }

  /** Refused check-ins recorded after `since`, oldest first: what an event stream missed while it reconnected. */
  async since(facilityIds: readonly string[], since: Date, limit = 100): Promise<Alert[]> {
    const rows = (await this.#base(facilityIds).andWhere('c.recorded_at', '>', since).orderBy('c.recorded_at', 'asc').limit(limit)) as Row[];
    return this.#toAlerts(rows);
  }

  async find(principal: StaffPrincipal, checkinId: string): Promise<Alert> {
    const found = (await this.#db('checkins').where({ id: checkinId, result: 'rejected' }).first('facility_id')) as { facility_id: string } | undefined;
    if (!found) throw new NotFoundError('alert_not_found', 'no such alert');
    facilityOf(principal, found.facility_id);
    const rows = (await this.#base([found.facility_id]).andWhere('c.id', checkinId)) as Row[];
    return (await this.#toAlerts(rows))[0]!;
  }

  /** Acknowledges once; a second acknowledgement leaves the first in place and answers with it. */
  async ack(principal: StaffPrincipal, checkinId: string): Promise<Alert> {
    const alert = await this.find(principal, checkinId);
    if (alert.ack) return alert;
    const inserted = (await this.#db('manager_alert_acks')
      .insert({ checkin_id: checkinId, facility_id: alert.facilityId, acked_by_account_id: principal.accountId })
      .onConflict('checkin_id')
      .ignore()
      .returning('acked_at')) as Array<{ acked_at: Date }>;
    const acked = await this.find(principal, checkinId);
    if (inserted.length > 0 && acked.ack) {
      await audit(this.#db, { actorAccountId: principal.accountId, action: 'manager.alert_acked', facilityId: alert.facilityId, details: { checkinId } });
      const event: AckEvent = { id: checkinId, facilityId: alert.facilityId, by: acked.ack.by, at: acked.ack.at };
      await this.#bus.publish(ALERT_ACKS_CHANNEL, JSON.stringify(event));
    }
    return acked;
  }
}
