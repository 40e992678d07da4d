import pg from 'pg';
import type { Logger } from '../core/logger.ts';
import type { AccountCache } from './account-cache.ts';

export const ACCOUNT_CHANGED_CHANNEL = 'pass_account_changed';

export const LISTENER_APPLICATION_NAME = 'pass-account-listener';

const RETRY_MS = [250, 1000, 2000, 5000];
/** A connection that died without a word (a crashed host, a dropped NAT entry) is noticed within this. */
const HEARTBEAT_MS = 10_000;
const HEARTBEAT_TIMEOUT_MS = 5_000;

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
  readonly #heartbeatMs: number;
  readonly #heartbeatTimeoutMs: number;
  #client: pg.Client | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: { url: string; cache: AccountCache; log: Logger; connectTimeoutMs: number; heartbeatMs?: number; heartbeatTimeoutMs?: number }) {
    this.#url = options.url;
    this.#cache = options.cache;
    this.#log = options.log;
    this.#connectTimeoutMs = options.connectTimeoutMs;
    this.#heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
  }

  /** Resolves once listening, or after the first attempt failed (retries go on in the background). */
  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: this.#connectTimeoutMs, application_name: LISTENER_APPLICATION_NAME });
    this.#client = client;
    let lost = false;
    let heartbeat: NodeJS.Timeout | undefined;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      clearInterval(heartbeat);
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
      heartbeat = setInterval(() => {
        const unanswered = setTimeout(() => onLost(new Error('heartbeat unanswered')), this.#heartbeatTimeoutMs).unref();
        client.query('select 1').then(
          () => clearTimeout(unanswered),
          (error: Error) => {
            clearTimeout(unanswered);
            onLost(error);
          },
        );
      }, this.#heartbeatMs).unref();
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
