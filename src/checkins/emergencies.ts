/**
 * Emergency mode per municipality: while it is on, the kiosks of its shelters search the
 * municipality's gallery (residents who consented to emergency use) instead of the shelter's own.
 * Read on every shelter check-in, cached for a second; a change is broadcast to every node.
 */
import type { Database } from '../db/database.ts';
import type { EventBus } from '../core/event-bus.ts';

export const EMERGENCY_CHANNEL = 'municipal-emergencies';
const CACHE_MS = 1000;

export class Emergencies {
  readonly #db: Database;
  readonly #bus: EventBus;
  readonly #cache = new Map<string, { active: boolean; at: number }>();

  constructor(db: Database, bus: EventBus) {
    this.#db = db;
    this.#bus = bus;
  }

  async start(): Promise<void> {
    await this.#bus.subscribe(EMERGENCY_CHANNEL, (code) => this.#cache.delete(code));
  }

  async active(municipalityCode: string): Promise<boolean> {
    const hit = this.#cache.get(municipalityCode);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.active;
    const active = Boolean(await this.#db('municipal_emergencies').where({ municipality_code: municipalityCode }).first('municipality_code'));
    this.#cache.set(municipalityCode, { active, at: Date.now() });
    return active;
  }

  async set(municipalityCode: string, active: boolean, accountId: string | undefined): Promise<void> {
    if (active) {
      await this.#db('municipal_emergencies').insert({ municipality_code: municipalityCode, started_by_account_id: accountId ?? null }).onConflict('municipality_code').ignore();
    } else {
      await this.#db('municipal_emergencies').where({ municipality_code: municipalityCode }).delete();
    }
    this.#cache.delete(municipalityCode);
    await this.#bus.publish(EMERGENCY_CHANNEL, municipalityCode);
  }
}
