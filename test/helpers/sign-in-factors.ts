// Sign-in factors for test accounts, given through PASS's own services: a passkey (a software
// authenticator) and an authenticator app. The sign-in helpers (test/helpers/browserless.ts,
// test/browser/journey-helpers.ts) use what an account has been given.
import { giveFactor, TotpApp } from './browserless.ts';
import { SoftAuthenticator } from './soft-authenticator.ts';
import type { Platform } from '../../src/platform.ts';
import { Passkeys } from '../../src/identity/factors/passkeys.ts';
import { base32Decode, hotp, totpStep, TotpAuthenticators } from '../../src/identity/factors/totp.ts';
import { createTransientStore } from '../../src/identity/proofing/transient-store.ts';

/** A running PASS (test/helpers/pass.ts startPass, or a node of several behind one issuer). */
export interface PassLike {
  issuer: string;
  platform: Platform;
}

/**
 * A passkey for an account, registered through PASS's own passkey service the way the PASS app's
 * security page does it (options → the authenticator's credential → verified registration). The
 * sign-in helpers (managerSession, managerToken, authorize) then sign `login` in with it.
 */
export async function givePasskey(pass: PassLike, accountId: string, login: string): Promise<SoftAuthenticator> {
  const { platform } = pass;
  const origin = new URL(pass.issuer).origin;
  const passkeys = new Passkeys(platform.db, createTransientStore(platform.db, platform.redis), { rpId: new URL(pass.issuer).hostname, rpName: 'PASS', origins: [origin] });
  const authenticator = new SoftAuthenticator();
  const options = await passkeys.registrationOptions(accountId, login);
  await passkeys.register(accountId, authenticator.register(options, origin), 'test passkey');
  giveFactor(pass.issuer, login, { passkey: authenticator });
  return authenticator;
}

/**
 * An authenticator app for an account, enrolled through PASS's own service (begin, then confirm
 * with the previous time step's code, so that the current and the next step are left for two
 * sign-ins). Password sign-ins of `login` in the helpers then type its code on the code page.
 */
export async function giveTotp(pass: PassLike, accountId: string, login: string): Promise<TotpApp> {
  const totp = new TotpAuthenticators(pass.platform.db, pass.platform.box);
  const { secret } = await totp.begin(accountId, login);
  let step = totpStep(new Date()) - 1;
  try {
    await totp.confirm(accountId, hotp(base32Decode(secret), step));
  } catch {
    // The clock passed into the next step in between: the current step's code, then.
    step = totpStep(new Date());
    await totp.confirm(accountId, hotp(base32Decode(secret), step));
  }
  const app = new TotpApp(base32Decode(secret), step);
  giveFactor(pass.issuer, login, { totp: app });
  return app;
}
