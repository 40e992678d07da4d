import type { Lang } from '../http/i18n.ts';
import type { Notifier } from '../notify/notifier.ts';
import { signInCodeMail, signInCodeSms } from '../notify/texts.ts';
import { RateLimitedError, type RateLimits } from '../ratelimit/rate-limits.ts';
import { type Account, type AccountService, dummyHash, loginKey } from './accounts.ts';
import { acrFor, amrFor, type AuthMethod } from './assurance.ts';
import type { AuthEvents } from './auth-events.ts';
import { AccountLockedError, InvalidInputError, SignInFailedError, StepError } from './identity-errors.ts';
import type { Lockout } from './lockout.ts';
import { verifyPassword } from './passwords.ts';
import { maskEmail, maskPhone } from './phone.ts';
import { normalizeCode, type VerificationCodes } from './verification-codes.ts';

export interface SignInDeps {
  accounts: AccountService;
  codes: VerificationCodes;
  lockout: Lockout;
  events: AuthEvents;
  limits: RateLimits;
  notifier: Notifier;
}

export interface Authenticated {
  account: Account;
  amr: AuthMethod[];
  acr: string;
}

export type SignInOutcome =
  | ({ kind: 'signed_in' } & Authenticated)
  | { kind: 'second_factor'; channel: 'email' | 'sms'; destination: string };

export interface SignInRequest {
  login: string;
  password: string;
  ip: string;
  clientId?: string | undefined;
  /** The relying party or policy asks for a second factor. */
  secondFactor: boolean;
  /** The interaction this sign-in belongs to: a second-factor code finishes only this one. */
  interactionUid: string;
  lang: Lang;
}

/**
 * Password sign-in with rate limits (per IP and per sign-in name), lockout with backoff, an
 * optional one-time code as second factor (SMS to a confirmed mobile number, else e-mail), and an
 * authentication event with amr/acr for every outcome.
 */
export class SignInService {
  readonly #deps: SignInDeps;

  constructor(deps: SignInDeps) {
    this.#deps = deps;
  }

  async signIn(request: SignInRequest): Promise<SignInOutcome> {
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
    const { account } = found;
    if (lock && lock.failures > 0) await lockout.clear(account.id);
    await limits.reset('signin', `${key.column}:${key.value}`);
    if (request.secondFactor) return this.#sendSecondFactor(account, request);
    const amr = amrFor(['pwd']);
    const acr = acrFor(amr);
    await events.record({ accountId: account.id, event: 'sign_in', amr, acr, clientId: request.clientId, ip: request.ip });
    return { kind: 'signed_in', account, amr, acr };
  }

  async #sendSecondFactor(account: Account, request: SignInRequest): Promise<SignInOutcome> {
    const channel = account.phoneE164 && account.phoneVerified ? 'sms' : 'email';
    const issued = await this.#deps.codes.issue({ purpose: 'sign_in', subject: account.id, channel, context: request.interactionUid });
    if (channel === 'sms') await this.#deps.notifier.sms(signInCodeSms(account.phoneE164!, issued.code, request.lang));
    else await this.#deps.notifier.mail(signInCodeMail(account.email, issued.code, request.lang));
    return { kind: 'second_factor', channel, destination: channel === 'sms' ? maskPhone(account.phoneE164!) : maskEmail(account.email) };
  }

  /** The second step: the code sent after the password. */
  async confirmSecondFactor(input: { code: string; ip: string; clientId?: string | undefined; interactionUid: string }): Promise<Authenticated> {
    const { accounts, codes, limits, events } = this.#deps;
    const accountId = await codes.pendingSubject('sign_in', input.interactionUid);
    const account = accountId ? await accounts.findById(accountId) : undefined;
    const channel = accountId ? await codes.channelOf('sign_in', accountId) : undefined;
    if (!account || !channel) throw new StepError('second_factor_missing');
    normalizeCode(input.code);
    await limits.consume('check', input.ip, account.id);
    await codes.consume({ purpose: 'sign_in', subject: account.id, code: input.code, context: input.interactionUid });
    const amr = amrFor(['pwd', channel === 'sms' ? 'sms' : 'otp']);
    const acr = acrFor(amr);
    await events.record({ accountId: account.id, event: 'sign_in', amr, acr, clientId: input.clientId, ip: input.ip });
    return { account, amr, acr };
  }

  /** Where the pending code went (masked), or undefined when this interaction has none. */
  async pendingSecondFactor(interactionUid: string): Promise<{ channel: 'email' | 'sms'; destination: string } | undefined> {
    const accountId = await this.#deps.codes.pendingSubject('sign_in', interactionUid);
    const account = accountId ? await this.#deps.accounts.findById(accountId) : undefined;
    if (!account) return undefined;
    const channel = account.phoneE164 && account.phoneVerified ? 'sms' : 'email';
    return { channel, destination: channel === 'sms' ? maskPhone(account.phoneE164!) : maskEmail(account.email) };
  }

  async resendSecondFactor(input: { ip: string; interactionUid: string; lang: Lang }): Promise<void> {
    const accountId = await this.#deps.codes.pendingSubject('sign_in', input.interactionUid);
    const account = accountId ? await this.#deps.accounts.findById(accountId) : undefined;
    if (!account) throw new StepError('second_factor_missing');
    const wait = await this.#deps.codes.cooldown('sign_in', account.id);
    if (wait > 0) throw new RateLimitedError(wait, 'resend_wait');
    await this.#deps.limits.consume('send', input.ip, account.id);
    await this.#sendSecondFactor(account, { login: '', password: '', ip: input.ip, secondFactor: true, interactionUid: input.interactionUid, lang: input.lang });
  }
}
