import type { Lang } from '../http/i18n.ts';
import type { Notifier } from '../notify/notifier.ts';
import { signInCodeMail, signInCodeSms } from '../notify/texts.ts';
import { RateLimitedError, type RateLimits } from '../ratelimit/rate-limits.ts';
import { type Account, type AccountService, dummyHash, loginKey } from './accounts.ts';
import { acrFor, amrFor, PASSKEY_AMR, type AuthMethod, type Factor } from './assurance.ts';
import type { AuthEvents } from './auth-events.ts';
import { AccountLockedError, InvalidInputError, SignInFailedError, StepError } from './identity-errors.ts';
import type { Lockout } from './lockout.ts';
import { verifyPassword } from './passwords.ts';
import { maskEmail, maskPhone } from './phone.ts';
import { normalizeCode, type VerificationCodes } from './verification-codes.ts';
import type { TransientStore } from './proofing/transient-store.ts';
import type { TotpAuthenticators } from './factors/totp.ts';
import type { RememberedFactor } from './factors/remembered-devices.ts';

export interface SignInDeps {
  accounts: AccountService;
  codes: VerificationCodes;
  totp: TotpAuthenticators;
  lockout: Lockout;
  events: AuthEvents;
  limits: RateLimits;
  notifier: Notifier;
  /** The second step pending between the password and the code, per interaction. */
  store: TransientStore;
}

export interface Authenticated {
  account: Account;
  amr: AuthMethod[];
  acr: string;
  /** What a browser remembered now would stand for; absent where remembering makes no sense. */
  rememberable?: RememberedFactor;
}

/** The one-time code a sign-in waits for: from an authenticator app, by SMS, or by e-mail. */
export type SecondFactorChannel = 'totp' | 'sms' | 'email';

export interface PendingSecondFactor {
  accountId: string;
  channel: SecondFactorChannel;
  /** Where an SMS or e-mail code went (masked); empty for an authenticator app. */
  destination: string;
  /** An SMS code may be asked for instead of the authenticator app's (a phone is verified). */
  smsPossible: boolean;
}

export interface PasswordCheck {
  login: string;
  password: string;
  ip: string;
  clientId?: string | undefined;
}

export interface Requester {
  ip: string;
  clientId?: string | undefined;
}

const PENDING_SECONDS = 600;
const pendingKey = (interactionUid: string) => `second-factor:${interactionUid}`;

const hasVerifiedPhone = (account: Account): boolean => Boolean(account.phoneE164 && account.phoneVerified);

/**
 * Sign-in at AAL2: the password (rate limits per IP and per sign-in name, lockout with backoff),
 * then a second factor bound to the same interaction — an authenticator app's code when the
 * account has one, else a code by SMS to the verified mobile number, else by e-mail — or a
 * browser remembered after such a code, or a passkey instead of both. Every completed or failed
 * step leaves an authentication event with its amr/acr.
 */
export class SignInService {
  readonly #deps: SignInDeps;

  constructor(deps: SignInDeps) {
    this.#deps = deps;
  }

  /** The first factor. Nothing is signed in by it alone. */
  async checkPassword(request: PasswordCheck): Promise<Account> {
    const { accounts, lockout, limits, events } = this.#deps;
    if (!request.login.trim() || !request.password) throw new InvalidInputError('signin_missing', 'enter the sign-in name and the password');
    const key = loginKey(request.login);
    await limits.consume('signin', request.ip, `${key.column}:${key.value}`);
    const found = await accounts.findCredentials(request.login);
    const lock = found ? await lockout.state(found.account.id) : undefined;
    if (found && lock && lock.lockedForSeconds > 0) throw new AccountLockedError(lock.lockedForSeconds);
    const ok = await verifyPassword(found?.passwordHash ?? (await dummyHash()), request.password);
    if (!found || !ok) {
      if (found) {
        const now = await lockout.recordFailure(found.account.id);
        await events.record({ accountId: found.account.id, event: 'sign_in_failed', amr: ['pwd'], clientId: request.clientId, ip: request.ip });
        if (now.lockedForSeconds > 0) throw new AccountLockedError(now.lockedForSeconds);
      }
      throw new SignInFailedError();
    }
    if (lock && lock.failures > 0) await lockout.clear(found.account.id);
    await limits.reset('signin', `${key.column}:${key.value}`);
    return found.account;
  }

  /** The channel a second factor uses by default: the authenticator app where there is one. */
  async defaultChannel(account: Account): Promise<SecondFactorChannel> {
    if (await this.#deps.totp.enrolled(account.id)) return 'totp';
    return hasVerifiedPhone(account) ? 'sms' : 'email';
  }

  /** Starts the second step of this interaction: sends the code (SMS, e-mail) or waits for the app's. */
  async beginSecondFactor(input: { account: Account; interactionUid: string; lang: Lang; channel?: SecondFactorChannel | undefined }): Promise<PendingSecondFactor> {
    const { account } = input;
    const channel = input.channel ?? (await this.defaultChannel(account));
    if (channel === 'totp' && !(await this.#deps.totp.enrolled(account.id))) throw new StepError('second_factor_missing');
    if (channel === 'sms' && !hasVerifiedPhone(account)) throw new StepError('second_factor_missing');
    if (channel !== 'totp') {
      // The right password (itself rate-limited) earns a code in each new sign-in; resends wait (resendSecondFactor).
      const issued = await this.#deps.codes.issue({ purpose: 'sign_in', subject: account.id, channel, context: input.interactionUid }, { cooldown: false });
      if (channel === 'sms') await this.#deps.notifier.sms(signInCodeSms(account.phoneE164!, issued.code, input.lang));
      else await this.#deps.notifier.mail(signInCodeMail(account.email, issued.code, input.lang));
    }
    const pending = this.#describe(account, channel);
    await this.#deps.store.take(pendingKey(input.interactionUid));
    await this.#deps.store.put(pendingKey(input.interactionUid), JSON.stringify({ accountId: account.id, channel }), PENDING_SECONDS);
    return pending;
  }

  #describe(account: Account, channel: SecondFactorChannel): PendingSecondFactor {
    const destination = channel === 'sms' ? maskPhone(account.phoneE164!) : channel === 'email' ? maskEmail(account.email) : '';
    return { accountId: account.id, channel, destination, smsPossible: channel === 'totp' && hasVerifiedPhone(account) };
  }

  /** The second step this interaction waits for, or undefined (none started, or expired). */
  async pendingSecondFactor(interactionUid: string): Promise<PendingSecondFactor | undefined> {
    const raw = await this.#deps.store.peek(pendingKey(interactionUid));
    if (!raw) return undefined;
    const { accountId, channel } = JSON.parse(raw) as { accountId: string; channel: SecondFactorChannel };
    const account = await this.#deps.accounts.findById(accountId);
    return account ? this.#describe(account, channel) : undefined;
  }

  /** The second step: the code from the app, the SMS or the e-mail. */
  async confirmSecondFactor(input: { code: string; interactionUid: string } & Requester): Promise<Authenticated> {
    const { accounts, codes, limits, events, totp } = this.#deps;
    const pending = await this.pendingSecondFactor(input.interactionUid);
    const account = pending ? await accounts.findById(pending.accountId) : undefined;
    if (!pending || !account) throw new StepError('second_factor_missing');
    await limits.consume('check', input.ip, account.id);
    let factor: Factor;
    if (pending.channel === 'totp') {
      if (!(await totp.verify(account.id, input.code))) {
        await events.record({ accountId: account.id, event: 'sign_in_failed', amr: ['pwd', 'otp'], clientId: input.clientId, ip: input.ip });
        throw new InvalidInputError('totp_code_invalid', 'the code does not match the authenticator app');
      }
      factor = 'otp';
    } else {
      normalizeCode(input.code);
      await codes.consume({ purpose: 'sign_in', subject: account.id, code: input.code, context: input.interactionUid });
      factor = pending.channel === 'sms' ? 'sms' : 'otp';
    }
    await this.#deps.store.take(pendingKey(input.interactionUid));
    // Like the password's: a right code clears the account's count of code checks.
    await limits.reset('check', account.id);
    const amr = amrFor(['pwd', factor]);
    const acr = acrFor(amr, { totp: pending.channel === 'totp' });
    await events.record({ accountId: account.id, event: 'sign_in', amr, acr, clientId: input.clientId, ip: input.ip });
    return { account, amr, acr, rememberable: factor === 'sms' ? 'sms' : 'otp' };
  }

  async resendSecondFactor(input: { ip: string; interactionUid: string; lang: Lang; channel?: 'sms' }): Promise<PendingSecondFactor> {
    const pending = await this.pendingSecondFactor(input.interactionUid);
    const account = pending ? await this.#deps.accounts.findById(pending.accountId) : undefined;
    if (!pending || !account) throw new StepError('second_factor_missing');
    const channel = input.channel ?? pending.channel;
    if (channel === 'totp') return pending;
    const wait = await this.#deps.codes.cooldown('sign_in', account.id);
    if (wait > 0 && channel === pending.channel) throw new RateLimitedError(wait, 'resend_wait');
    await this.#deps.limits.consume('send', input.ip, account.id);
    return this.beginSecondFactor({ account, interactionUid: input.interactionUid, lang: input.lang, channel });
  }

  /** The password on a browser remembered after a code: the code it was remembered with stands again. */
  async completeRemembered(account: Account, factor: RememberedFactor, requester: Requester): Promise<Authenticated> {
    const amr = amrFor(['pwd', factor]);
    const acr = acrFor(amr, { remembered: true });
    await this.#deps.events.record({ accountId: account.id, event: 'sign_in', amr, acr, clientId: requester.clientId, ip: requester.ip });
    return { account, amr, acr };
  }

  /** A verified passkey assertion (user verification required): two factors in one. */
  async completePasskey(accountId: string, requester: Requester): Promise<Authenticated> {
    const account = await this.#deps.accounts.findById(accountId);
    if (!account) throw new SignInFailedError();
    const lock = await this.#deps.lockout.state(account.id);
    if (lock.lockedForSeconds > 0) throw new AccountLockedError(lock.lockedForSeconds);
    const amr = [...PASSKEY_AMR];
    const acr = acrFor(amr);
    await this.#deps.events.record({ accountId: account.id, event: 'sign_in', amr, acr, clientId: requester.clientId, ip: requester.ip });
    return { account, amr, acr };
  }
}
