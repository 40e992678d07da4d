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
import { createTransientStore } from './proofing/transient-store.ts';
import { Passkeys } from './factors/passkeys.ts';
import { RememberedDevices } from './factors/remembered-devices.ts';
import { TotpAuthenticators } from './factors/totp.ts';

/** Everything the sign-up, sign-in and reset pages use, built once per server. */
export interface IdentityServices {
  accounts: Platform['accounts'];
  signups: SignupService;
  signIn: SignInService;
  resets: PasswordResets;
  events: AuthEvents;
  lockout: Lockout;
  codes: VerificationCodes;
  limits: RateLimits;
  notifier: Notifier;
  passkeys: Passkeys;
  totp: TotpAuthenticators;
  devices: RememberedDevices;
}

export function createIdentityServices(platform: Platform, notifier: Notifier): IdentityServices {
  const { db, accounts, config, redis } = platform;
  const namespace = createHash('sha256').update(platform.dbInfo.location).digest('hex').slice(0, 12);
  const limits = new RateLimits(redis, config.rateLimits, namespace);
  // Codes are hashed with a server secret, so a copy of the table does not give them away.
  const codes = new VerificationCodes(db, `codes:${config.cookieKeys[0]!}`);
  const events = new AuthEvents(db);
  const lockout = new Lockout(db);
  const store = createTransientStore(db, redis);
  const totp = new TotpAuthenticators(db, platform.box);
  const passkeys = new Passkeys(db, store, { rpId: config.signIn.webauthn.rpId, rpName: 'PASS', origins: config.signIn.webauthn.origins });
  const devices = new RememberedDevices(db, config.cookieKeys[0]!, config.signIn.rememberDeviceDays);
  return {
    accounts,
    signups: new SignupService({ db, accounts, codes, notifier, limits, events }),
    signIn: new SignInService({ accounts, codes, totp, lockout, events, limits, notifier, store }),
    resets: new PasswordResets({ db, accounts, notifier, limits, lockout, events, devices, issuer: config.issuer }),
    events,
    lockout,
    codes,
    limits,
    notifier,
    passkeys,
    totp,
    devices,
  };
}
