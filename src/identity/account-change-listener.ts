import pg from 'pg';
import type { Logger } from '../core/logger.ts';
import type { AccountCache } from './account-cache.ts';

export const ACCOUNT_CHANGED_CHANNEL = 'pass_account_changed';

const RETRY_MS = [250, 1000, 2000, 5000];

/**
 * One connection per node that LISTENs for migration 0012's announcements and forgets the
 * accounts they name. The cache is on only while this connection listens: when PostgreSQL
 * restarts or the connection drops, the cache is switched off and emptied, and the listener
 * reconnects with backoff; requests read the database meanwhile.
 */
export class AccountChangeListener {
  readonly #url: string;
  readonly #cache: AccountCache;
  readonly #log: Logger;
  readonly #connectTimeoutMs: number;
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: { url: string; cache: AccountCache; log: Logger; connectTimeoutMs: number }) {
    this.#url = options.url;
    this.#cache = options.cache;
    this.#log = options.log;
    this.#connectTimeoutMs = options.connectTimeoutMs;
  }

  /** Resolves once listening, or after the first attempt failed (retries go on in the background). */
  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: this.#connectTimeoutMs });
    this.#client = client;
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      this.#cache.disable();
      client.removeAllListeners('notification');
      client.end().catch(() => {});
      if (this.#closed) return;
      if (error) this.#log.warn({ reason: (error as NodeJS.ErrnoException).code ?? error.message }, 'account cache off: change listener lost its connection');
      this.#retry();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === ACCOUNT_CHANGED_CHANNEL && message.payload) this.#cache.forget(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${ACCOUNT_CHANGED_CHANNEL}`);
      if (lost || this.#closed) return;
      this.#failures = 0;
      this.#cache.enable();
    } catch (error) {
      onLost(error as Error);
    }
  }

  #retry(): void {
    const delay = RETRY_MS[Math.min(this.#failures, RETRY_MS.length - 1)]!;
    this.#failures += 1;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#connect(), delay);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#cache.disable();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}
