import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

/**
 * Tells every PASS node about changes that they cache (signing keys, face galleries). Redis
 * pub/sub when configured; otherwise only this process hears it (one embedded node).
 */
export interface EventBus {
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  close(): Promise<void>;
}

export class LocalEventBus implements EventBus {
  readonly #emitter = new EventEmitter();

  async publish(channel: string, message: string): Promise<void> {
    this.#emitter.emit(channel, message);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    this.#emitter.on(channel, listener);
  }

  async close(): Promise<void> {
    this.#emitter.removeAllListeners();
  }
}

export class RedisEventBus implements EventBus {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #listeners = new Map<string, Array<(message: string) => void>>();

  constructor(redis: Redis) {
    this.#publisher = redis;
    // A subscribed connection can do nothing else, so it gets its own; it queues subscriptions
    // while (re)connecting and re-subscribes after a Redis restart.
    this.#subscriber = redis.duplicate({ lazyConnect: false, enableOfflineQueue: true, autoResubscribe: true });
    this.#subscriber.on('error', () => {});
    this.#subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.#listeners.get(channel) ?? []) listener(message);
    });
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.#publisher.publish(`pass:${channel}`, message);
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    const name = `pass:${channel}`;
    const listeners = this.#listeners.get(name) ?? [];
    listeners.push(listener);
    this.#listeners.set(name, listeners);
    if (listeners.length === 1) await this.#subscriber.subscribe(name);
  }

  async close(): Promise<void> {
    this.#subscriber.disconnect();
  }
}
