import type { Context } from 'koa';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { PassError } from '../../core/errors.ts';
import type { ApiPrincipal } from '../../oidc/api-auth.ts';

/** The signed-in caller of a proofing route (the routes' `auth` middleware put it there). */
export function principalOf(ctx: Context): ApiPrincipal {
  return ctx.state.principal!;
}

/**
 * How often one account may start an identity check of one kind (a card challenge, a trip to the
 * Digital Agency's app): 30 in 10 minutes, across nodes when Redis is there. Each start is
 * counted; past the limit the caller gets 429 with Retry-After.
 */
export function proofingStartLimit(redis: Redis | undefined, keyPrefix: string): (ctx: Context) => Promise<void> {
  const options = { keyPrefix, points: 30, duration: 600 };
  const limiter = redis ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) }) : new RateLimiterMemory(options);
  return async (ctx) => {
    const principal = principalOf(ctx);
    try {
      await limiter.consume(principal.accountId ?? `client:${principal.clientId}`);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      ctx.set('Retry-After', String(Math.ceil(error.msBeforeNext / 1000)));
      throw new PassError('rate_limited', 'rate_limited', 'too many identity checks started; try again later');
    }
  };
}
