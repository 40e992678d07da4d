import { createHash } from 'node:crypto';
import type { Platform } from '../platform.ts';
import type { Notifier } from '../notify/notifier.ts';
import { RateLimits } from '../ratelimit/rate-limits.ts';
import { AuthEvents } from './auth-events.ts';
import { Lockout } from './lockout.ts';
import { PasswordResets } from './password-resets.ts';
import { SignInService } from './sign-in.ts';
import { SignupService } from './signups.ts';
import { VerificationCodes } from './verification-codes.ts';

/** Everything the sign-up, sign-in and reset pages use, built once per server. */
export interface IdentityServices {
  signups: SignupService;
  signIn: SignInService;
  resets: PasswordResets;
  events: AuthEvents;
  lockout: Lockout;
  codes: VerificationCodes;
  limits: RateLimits;
  notifier: Notifier;
}

export function createIdentityServices(platform: Platform, notifier: Notifier): IdentityServices {
  const { db, accounts, config, redis } = platform;
  const namespace = createHash('sha256').update(platform.dbInfo.location).digest('hex').slice(0, 12);
  const limits = new RateLimits(redis, config.rateLimits, namespace);
  // Codes are hashed with a server secret, so a copy of the table does not give them away.
  const codes = new VerificationCodes(db, `codes:${config.cookieKeys[0]!}`);
  const events = new AuthEvents(db);
  const lockout = new Lockout(db);
  return {
    signups: new SignupService({ db, accounts, codes, notifier, limits, events }),
    signIn: new SignInService({ accounts, codes, lockout, events, limits, notifier }),
    resets: new PasswordResets({ db, accounts, notifier, limits, lockout, events, issuer: config.issuer }),
    events,
    lockout,
    codes,
    limits,
    notifier,
  };
}
