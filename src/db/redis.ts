import { Redis, type RedisOptions } from 'ioredis';
import { UnavailableError } from '../core/errors.ts';

export function describeRedis(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol === 'unix:') return decodeURIComponent(parsed.pathname);
  return `${parsed.hostname}:${parsed.port || 6379}`;
}

/** ioredis reads redis:// and rediss:// itself; unix:///path.sock?db=N&password=… names a socket, a database and a password. */
function socketOptions(url: string): RedisOptions | undefined {
  const parsed = new URL(url);
  if (parsed.protocol !== 'unix:') return undefined;
  const db = parsed.searchParams.get('db');
  const password = parsed.searchParams.get('password');
  return {
    path: decodeURIComponent(parsed.pathname),
    ...(password ? { password } : {}),
    ...(db && /^\d+$/.test(db) ? { db: Number(db) } : {}),
  };
}

/**
 * Connects and pings once, failing start-up with one clear line. Afterwards ioredis reconnects by
 * itself, and commands fail fast (no offline queue) so callers answer 503 instead of hanging.
 */
export async function connectRedis(url: string, timeoutSeconds: number): Promise<Redis> {
  const options: RedisOptions = {
    lazyConnect: true,
    connectTimeout: timeoutSeconds * 1000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // Commands issued in the same tick share one write: fewer syscalls on the token hot path.
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const socket = socketOptions(url);
  const redis = socket ? new Redis({ ...options, ...socket }) : new Redis(url, options);
  let lastError: NodeJS.ErrnoException | undefined;
  redis.on('error', (error: NodeJS.ErrnoException) => {
    // After start-up this is reported through readiness and failing requests; ioredis reconnects.
    lastError = error;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    // A refused login (WRONGPASS, NOAUTH) arrives as an error event without a code; its text names no secret.
    const reason = lastError?.code ?? lastError?.message ?? (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UnavailableError('redis_unreachable', `cannot reach Redis at ${describeRedis(url)}: ${reason}`);
  }
  return redis;
}

/** Deletes every key matching the pattern (SCAN, never KEYS: the server keeps answering others meanwhile). */
export async function deleteKeysMatching(redis: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
