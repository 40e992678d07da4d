/**
 * Live shelter occupancy over Server-Sent Events. Each node subscribes once to the check-in events
 * of the bus (every node's kiosks, through Redis when configured) and tells each open stream about
 * the shelters its principal may see: the new occupancy of that shelter and, for a municipal
 * admin, the city-wide totals — counts only, never who. The page then reloads the roster itself
 * (an audited read). Streams re-check their principal every minute, so a removed assignment stops
 * the updates, and end when the node shuts down.
 */
import type { Context } from 'koa';
import type { EventBus } from '../../core/event-bus.ts';
import type { Logger } from '../../core/logger.ts';
import { CHECKINS_CHANNEL, type CheckinRecordedEvent } from '../../checkins/checkin-service.ts';
import { EventStreams, type EventStream } from '../alerts/event-stream.ts';
import type { StaffPrincipal, StaffScope } from '../staff-scope.ts';
import type { ShelterBoard } from './shelter-board.ts';

const RECHECK_MS = 60_000;

export interface OccupancyUpdate {
  facilityId: string;
  occupancy: number;
  direction: 'in' | 'out';
  at: string;
  totals?: Array<{ municipalityCode: string; occupancy: number; shelters: number }>;
}

interface Watcher {
  principal: StaffPrincipal;
  shelters: Set<string>;
  stream: EventStream;
}

export class ShelterLive {
  readonly #bus: EventBus;
  readonly #board: ShelterBoard;
  readonly #scope: StaffScope;
  readonly #log: Logger;
  readonly #streams = new EventStreams();
  readonly #watchers = new Set<Watcher>();

  constructor(deps: { bus: EventBus; board: ShelterBoard; scope: StaffScope; log: Logger }) {
    this.#bus = deps.bus;
    this.#board = deps.board;
    this.#scope = deps.scope;
    this.#log = deps.log;
  }

  async start(): Promise<void> {
    await this.#bus.subscribe(CHECKINS_CHANNEL, (message) => {
      let event: CheckinRecordedEvent;
      try {
        event = JSON.parse(message) as CheckinRecordedEvent;
      } catch {
        return;
      }
      if (event.result !== 'accepted') return;
      this.#changed(event).catch((error: unknown) => this.#log.warn({ err: error }, 'shelter occupancy update failed'));
    });
  }

  get size(): number {
    return this.#watchers.size;
  }

  /** One count per event, shared by every stream that may see this shelter. */
  async #changed(event: CheckinRecordedEvent): Promise<void> {
    const watchers = [...this.#watchers].filter((w) => w.shelters.has(event.facilityId));
    if (watchers.length === 0) return;
    const occupancy = await this.#board.occupancy(event.facilityId);
    for (const watcher of watchers) {
      const update: OccupancyUpdate = { facilityId: event.facilityId, occupancy, direction: event.direction, at: event.at };
      if (watcher.principal.assignments.some((a) => a.role === 'municipal_admin')) {
        const { totals } = await this.#board.overview(watcher.principal);
        update.totals = totals.map((t) => ({ municipalityCode: t.municipalityCode, occupancy: t.occupancy, shelters: t.shelters }));
      }
      watcher.stream.send('occupancy', update);
    }
  }

  /** Answers the request with an event stream of the given shelters (already checked against the principal). */
  open(ctx: Context, principal: StaffPrincipal, shelters: string[]): void {
    const stream = this.#streams.open(ctx);
    if (stream.closed) return;
    const watcher: Watcher = { principal, shelters: new Set(shelters), stream };
    const recheck = setInterval(() => {
      this.#scope
        .principal(principal.accountId)
        .then((now) => {
          const allowed = new Set((now?.facilities ?? []).map((f) => f.id));
          watcher.shelters = new Set([...watcher.shelters].filter((id) => allowed.has(id)));
          if (!now || watcher.shelters.size === 0) stream.close();
          else watcher.principal = now;
        })
        .catch(() => {});
    }, RECHECK_MS);
    recheck.unref();
    stream.onClose(() => {
      clearInterval(recheck);
      this.#watchers.delete(watcher);
    });
    this.#watchers.add(watcher);
    stream.send('ready', { shelters });
  }

  /** Shutdown: end every stream, so that open connections do not hold the server. */
  drain(): void {
    this.#streams.drain();
  }
}
