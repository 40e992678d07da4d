import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { PassError } from '../core/errors.ts';

/** What a limit protects: password checks, sending codes (mail/SMS cost money), checking codes. */
export type LimitedAction = 'signin' | 'send' | 'check';

export interface RateLimitSettings {
  /** Attempts one IP address may make per action and window. */
  perIp: number;
  /** Attempts per account (e-mail, phone number or account id) per action and window. */
  perAccount: number;
  windowSeconds: number;
}

export class RateLimitedError extends PassError {
  readonly retryAfterSeconds: number;
  /** `too_many_requests`, or `resend_wait` for the cooldown between two codes. */
  constructor(retryAfterSeconds: number, reason: 'too_many_requests' | 'resend_wait' = 'too_many_requests') {
    super('rate_limited', reason, 'too many attempts; try again later', { retryAfterSeconds });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const ACTIONS: LimitedAction[] = ['signin', 'send', 'check'];

/** Account keys are hashed so Redis never holds e-mail addresses or phone numbers. */
function accountKey(account: string): string {
  return createHash('sha256').update(account.trim().toLowerCase()).digest('base64url').slice(0, 32);
}

/**
 * Fixed-window limits per IP and per account, with rate-limiter-flexible. With Redis every PASS
 * instance counts in the same place; without it (one embedded node) the counts live in memory.
 * If Redis fails, an in-memory limiter takes over instead of letting every attempt through.
 */
export class RateLimits {
  readonly #limiters = new Map<string, RateLimiterAbstract>();

  /**
   * `namespace` separates PASS deployments that share one Redis (the caller derives it from the
   * database, so instances of one deployment count together).
   */
  constructor(redis: Redis | undefined, settings: RateLimitSettings, namespace = 'pass') {
    for (const action of ACTIONS) {
      for (const [scope, points] of [['ip', settings.perIp], ['account', settings.perAccount]] as const) {
        const options = { keyPrefix: `pass:rl:${namespace}:${action}:${scope}`, points, duration: settings.windowSeconds };
        const limiter = redis
          ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) })
          : new RateLimiterMemory(options);
        this.#limiters.set(`${action}:${scope}`, limiter);
      }
    }
  }

  /** Counts one attempt; throws RateLimitedError once either the IP or the account is over its limit. */
  async consume(action: LimitedAction, ip: string, account?: string): Promise<void> {
    const attempts: Array<Promise<unknown>> = [this.#limiter(action, 'ip').consume(ip || 'unknown')];
    if (account) attempts.push(this.#limiter(action, 'account').consume(accountKey(account)));
    const results = await Promise.allSettled(attempts);
    let waitMs = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
      waitMs = Math.max(waitMs, result.reason.msBeforeNext);
    }
    if (waitMs > 0) throw new RateLimitedError(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  /** Forgets an account's count (after a successful sign-in), so a resident who got in is not held back. */
  async reset(action: LimitedAction, account: string): Promise<void> {
    await this.#limiter(action, 'account').delete(accountKey(account));
  }

  #limiter(action: LimitedAction, scope: 'ip' | 'account'): RateLimiterAbstract {
    return this.#limiters.get(`${action}:${scope}`)!;
  }
}
