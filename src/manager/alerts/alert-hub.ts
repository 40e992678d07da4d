/**
 * Every node hears every refused check-in and every acknowledgement on the event bus (Redis
 * pub/sub across nodes) and hands them to its own open event streams; each stream keeps only
 * the events of its principal's facilities. One bus subscription per node, however many streams.
 */
import type { Database } from '../../db/database.ts';
import type { EventBus } from '../../core/event-bus.ts';
import type { Logger } from '../../core/logger.ts';
import { CHECKIN_FAILURES_CHANNEL, type CheckinFailureEvent } from '../../checkins/checkin-service.ts';
import { kioskNames } from '../../kiosk/kiosk-names.ts';
import { ALERT_ACKS_CHANNEL, type AckEvent, type Alert } from './alert-service.ts';

export type HubEvent = { type: 'failure'; alert: Alert } | { type: 'ack'; ack: AckEvent };

export class AlertHub {
  readonly #db: Database;
  readonly #bus: EventBus;
  readonly #log: Logger;
  readonly #listeners = new Set<(event: HubEvent) => void>();
  #stopped = false;

  constructor(db: Database, bus: EventBus, log: Logger) {
    this.#db = db;
    this.#bus = bus;
    this.#log = log;
  }

  async start(): Promise<void> {
    await this.#bus.subscribe(CHECKIN_FAILURES_CHANNEL, (message) => {
      this.#failure(message).catch((error: unknown) => this.#log.warn({ err: error }, 'check-in failure event not delivered to Manager streams'));
    });
    await this.#bus.subscribe(ALERT_ACKS_CHANNEL, (message) => {
      const ack = this.#parse<AckEvent>(message);
      if (ack?.id && ack.facilityId) this.#emit({ type: 'ack', ack });
    });
  }

  /** Adds a listener; the returned function removes it. */
  listen(listener: (event: HubEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stop(): void {
    this.#stopped = true;
    this.#listeners.clear();
  }

  #parse<T>(message: string): T | undefined {
    try {
      return JSON.parse(message) as T;
    } catch {
      return undefined;
    }
  }

  async #failure(message: string): Promise<void> {
    if (this.#listeners.size === 0) return;
    const event = this.#parse<CheckinFailureEvent & { thumbnail?: boolean }>(message);
    if (!event?.id || !event.facilityId) return;
    const kioskName = event.kioskId ? (await kioskNames(this.#db, [event.kioskId])).get(event.kioskId) : undefined;
    this.#emit({
      type: 'failure',
      alert: {
        id: event.id,
        facilityId: event.facilityId,
        kioskId: event.kioskId ?? null,
        kioskName: kioskName ?? null,
        method: event.method,
        reason: event.reason,
        at: event.at,
        thumbnail: event.thumbnail === true,
        ack: null,
      },
    });
  }

  #emit(event: HubEvent): void {
    if (this.#stopped) return;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#log.warn({ err: error }, 'Manager stream listener failed');
      }
    }
  }
}
