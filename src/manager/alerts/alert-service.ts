/**
 * Alerts are the refused check-ins of a facility (the check-in record is the alert; nothing is
 * copied): kiosk, time, method, reason, whether a thumbnail is still kept, and the staff member
 * who acknowledged it and when. An acknowledgement is stored once (the first one stands) and told
 * to every node on the bus, so every open Manager page shows it.
 */
import type { Database } from '../../db/database.ts';
import type { EventBus } from '../../core/event-bus.ts';
import { NotFoundError } from '../../core/errors.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { CheckinStore } from '../../checkins/checkin-store.ts';
import { refusedCheckins } from '../../checkins/checkin-reports.ts';
import { kioskNames } from '../../kiosk/kiosk-names.ts';
import { accountEmails } from '../../identity/account-emails.ts';
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

/** The refused check-in an alert is. */
interface Refusal {
  id: string;
  facilityId: string;
  kioskId: string | null | undefined;
  method: string;
  reason: string | null | undefined;
  recordedAt: Date;
}

export class AlertService {
  readonly #db: Database;
  readonly #bus: EventBus;
  readonly #thumbnails: ThumbnailStore;
  readonly #checkins: CheckinStore;

  constructor(db: Database, bus: EventBus, thumbnails: ThumbnailStore) {
    this.#db = db;
    this.#bus = bus;
    this.#thumbnails = thumbnails;
    this.#checkins = new CheckinStore(db);
  }

  /** The acknowledgements of these check-ins, each with the e-mail address of who made it. */
  async #acks(checkinIds: readonly string[]): Promise<Map<string, NonNullable<Alert['ack']>>> {
    if (checkinIds.length === 0) return new Map();
    const rows = (await this.#db('manager_alert_acks').whereIn('checkin_id', [...checkinIds]).select('checkin_id', 'acked_at', 'acked_by_account_id')) as Array<{
      checkin_id: string;
      acked_at: Date;
      acked_by_account_id: string | null;
    }>;
    const emails = await accountEmails(this.#db, rows.map((r) => r.acked_by_account_id));
    return new Map(rows.map((r) => [r.checkin_id, { by: (r.acked_by_account_id && emails.get(r.acked_by_account_id)) ?? null, at: new Date(r.acked_at).toISOString() }]));
  }

  /**
   * The check-ins of these facilities acknowledged since `since`. An acknowledgement comes after its
   * check-in was recorded, so these are all the acknowledged ones among the check-ins recorded since.
   */
  async #ackedSince(facilityIds: readonly string[], since: Date): Promise<string[]> {
    return (await this.#db('manager_alert_acks').whereIn('facility_id', [...facilityIds]).andWhere('acked_at', '>', since).pluck('checkin_id')) as string[];
  }

  async #toAlerts(refusals: Refusal[]): Promise<Alert[]> {
    const ids = refusals.map((r) => r.id);
    const [kept, kiosks, acks] = await Promise.all([this.#thumbnails.present(ids), kioskNames(this.#db, refusals.map((r) => r.kioskId ?? null)), this.#acks(ids)]);
    return refusals.map((r) => ({
      id: r.id,
      facilityId: r.facilityId,
      kioskId: r.kioskId ?? null,
      kioskName: r.kioskId ? (kiosks.get(r.kioskId) ?? null) : null,
      method: r.method,
      reason: r.reason ?? 'unknown',
      at: r.recordedAt.toISOString(),
      thumbnail: kept.has(r.id),
      ack: acks.get(r.id) ?? null,
    }));
  }

  /** Newest first: open ones (not acknowledged, last 7 days) or every one of the last 7 days. */
  async list(principal: StaffPrincipal, options: { facility?: string | undefined; status: 'open' | 'all'; limit: number }): Promise<Alert[]> {
    const facilityIds = facilitiesFor(principal, options.facility).map((f) => f.id);
    const after = new Date(Date.now() - OPEN_ALERT_WINDOW_MS);
    const excluding = options.status === 'open' ? await this.#ackedSince(facilityIds, after) : undefined;
    return this.#toAlerts(await refusedCheckins(this.#db, { facilityIds, after, excluding, order: 'desc', limit: options.limit }));
  }

  /** How many alerts are open (as `list` counts them), up to `cap`; `more` when there are more. */
  async countOpen(principal: StaffPrincipal, facility: string | undefined, cap: number): Promise<{ open: number; more: boolean }> {
    const facilityIds = facilitiesFor(principal, facility).map((f) => f.id);
    const after = new Date(Date.now() - OPEN_ALERT_WINDOW_MS);
    const excluding = await this.#ackedSince(facilityIds, after);
    const open = (await refusedCheckins(this.#db, { facilityIds, after, excluding, order: 'desc', limit: cap + 1 })).length;
    return { open: Math.min(open, cap), more: open > cap };
  }

  /** Refused check-ins recorded after `since`, oldest first: what an event stream missed while it reconnected. */
  async since(facilityIds: readonly string[], since: Date, limit = 100): Promise<Alert[]> {
    return this.#toAlerts(await refusedCheckins(this.#db, { facilityIds, after: since, order: 'asc', limit }));
  }

  async find(principal: StaffPrincipal, checkinId: string): Promise<Alert> {
    const found = await this.#checkins.find(checkinId);
    if (found?.result !== 'rejected') throw new NotFoundError('alert_not_found', 'no such alert');
    facilityOf(principal, found.facilityId);
    return (await this.#toAlerts([found]))[0]!;
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
      await appendAudit(this.#db, { actorAccountId: principal.accountId, action: 'manager.alert_acked', facilityId: alert.facilityId, details: { checkinId } });
      const event: AckEvent = { id: checkinId, facilityId: alert.facilityId, by: acked.ack.by, at: acked.ack.at };
      await this.#bus.publish(ALERT_ACKS_CHANNEL, JSON.stringify(event));
    }
    return acked;
  }
}
