/**
 * The figures of PASS Manager's home screen, over the facilities the principal may see (one of
 * them, or all): today's check-ins (a day in Japan; every check-in event, a shelter's check-outs
 * included, as the history lists them) by method and result, the open alerts, and
 * whether each kiosk is running (online, offline or closed, and when it was last heard from).
 * Only counts and kiosks leave here: no personal data, so nothing to audit.
 */
import type { Database } from '../../db/database.ts';
import { CHECKIN_METHODS, type CheckinMethod, type CheckinResult } from '../../checkins/checkin-store.ts';
import { countHistory } from '../../checkins/checkin-reports.ts';
import type { KioskStore } from '../../kiosk/kiosk-store.ts';
import { kioskState } from '../../kiosk/kiosk-health.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import { todayInJapan } from '../analytics/analytics-service.ts';
import { facilitiesFor, type StaffPrincipal } from '../staff-scope.ts';

/** More open alerts than this read as "999+": the number is a prompt to look, not a report. */
export const OPEN_ALERTS_CAP = 999;
const RESULTS: readonly CheckinResult[] = ['accepted', 'rejected'];

export interface KioskHealth {
  id: string;
  name: string;
  facilityId: string;
  state: 'online' | 'offline' | 'closed';
  /** When it was last heard from (its close included); null if never. */
  lastSeenAt: string | null;
}

export interface Overview {
  /** Today in Japan, YYYY-MM-DD. */
  day: string;
  facilities: string[];
  checkins: {
    accepted: number;
    rejected: number;
    byMethod: Array<{ method: CheckinMethod; accepted: number; rejected: number }>;
  };
  alerts: { open: number; more: boolean };
  /** Kiosks in use (revoked ones are left out), by facility and name. */
  kiosks: KioskHealth[];
}

export interface OverviewDeps {
  db: Database;
  kiosks: KioskStore;
  alerts: AlertService;
  /** The clock the day and the kiosks' state are judged by (tests move it). */
  now?: () => number;
}

export class OverviewService {
  readonly #d: OverviewDeps;

  constructor(deps: OverviewDeps) {
    this.#d = deps;
  }

  async overview(principal: StaffPrincipal, facility: string | undefined): Promise<Overview> {
    const now = (this.#d.now ?? Date.now)();
    const facilities = facilitiesFor(principal, facility);
    const facilityIds = facilities.map((f) => f.id);
    const day = todayInJapan(new Date(now));
    const since = new Date(`${day}T00:00:00+09:00`);
    const until = new Date(since.getTime() + 86_400_000);
    const cells = CHECKIN_METHODS.flatMap((method) => RESULTS.map((result) => ({ method, result })));
    const [counts, alerts, kioskLists] = await Promise.all([
      Promise.all(cells.map((cell) => countHistory(this.#d.db, { facilityIds, since, until, ...cell }))),
      this.#d.alerts.countOpen(principal, facility, OPEN_ALERTS_CAP),
      Promise.all(facilityIds.map((id) => this.#d.kiosks.list(id))),
    ]);
    const byMethod = CHECKIN_METHODS.map((method) => {
      const count = (result: CheckinResult) => counts[cells.findIndex((c) => c.method === method && c.result === result)]!;
      return { method, accepted: count('accepted'), rejected: count('rejected') };
    });
    const kiosks: KioskHealth[] = kioskLists
      .flat()
      .flatMap((k) => {
        const state = kioskState(k, now);
        if (state === 'revoked') return [];
        const seen = Math.max(k.lastContactAt?.getTime() ?? 0, k.closedAt?.getTime() ?? 0);
        return [{ id: k.id, name: k.name, facilityId: k.facilityId, state, lastSeenAt: seen ? new Date(seen).toISOString() : null }];
      })
      .sort((a, b) => a.facilityId.localeCompare(b.facilityId) || a.name.localeCompare(b.name, 'ja'));
    return {
      day,
      facilities: facilityIds,
      checkins: { accepted: byMethod.reduce((n, m) => n + m.accepted, 0), rejected: byMethod.reduce((n, m) => n + m.rejected, 0), byMethod },
      alerts,
      kiosks,
    };
  }
}
