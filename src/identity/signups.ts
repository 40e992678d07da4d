import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { Lang } from '../http/i18n.ts';
import type { Notifier } from '../notify/notifier.ts';
import { verificationMail, verificationSms } from '../notify/texts.ts';
import type { RateLimits } from '../ratelimit/rate-limits.ts';
import { RateLimitedError } from '../ratelimit/rate-limits.ts';
import { type Account, type AccountService, normalizeEmail } from './accounts.ts';
import { amrFor, acrFor, type AuthMethod } from './assurance.ts';
import type { AuthEvents } from './auth-events.ts';
import { ConflictError, StepError } from './identity-errors.ts';
import { assertAcceptablePassword } from './password-policy.ts';
import { hashPassword } from './passwords.ts';
import { mobileToE164 } from './phone.ts';
import { normalizeCode, type VerificationCodes } from './verification-codes.ts';

/** A sign-up lives as long as its interaction could (an hour). */
const SIGNUP_TTL_SECONDS = 3600;

export type SignupStep = 'email' | 'phone' | 'sms';

export interface Signup {
  id: string;
  email: string;
  phoneE164: string | null;
  lang: Lang;
  step: SignupStep;
}

interface SignupRow {
  id: string;
  interaction_uid: string;
  email: string;
  password_hash: string;
  phone_e164: string | null;
  lang: Lang;
  email_verified_at: Date | null;
  phone_verified_at: Date | null;
  expires_at: Date;
}

function toSignup(row: SignupRow): Signup {
  const step: SignupStep = !row.email_verified_at ? 'email' : row.phone_e164 ? 'sms' : 'phone';
  return { id: row.id, email: row.email, phoneE164: row.phone_e164, lang: row.lang, step };
}

export interface SignupDeps {
  db: Database;
  accounts: AccountService;
  codes: VerificationCodes;
  notifier: Notifier;
  limits: RateLimits;
  events: AuthEvents;
}

/**
 * Sign-up as in the seed product: e-mail and password, a 6-digit code by e-mail, then a mobile
 * number and a 6-digit code by SMS. The account exists only once both are confirmed. Every input
 * is validated before anything is written, so a refused input leaves the database as it was.
 */
export class SignupService {
  readonly #deps: SignupDeps;

  constructor(deps: SignupDeps) {
    this.#deps = deps;
  }

  async #row(uid: string): Promise<SignupRow | undefined> {
    const row = (await this.#deps.db('signups').where({ interaction_uid: uid }).first()) as SignupRow | undefined;
    return row && row.expires_at.getTime() > Date.now() ? row : undefined;
  }

  async find(uid: string): Promise<Signup | undefined> {
    const row = await this.#row(uid);
    return row ? toSignup(row) : undefined;
  }

  async #require(uid: string, step?: SignupStep): Promise<SignupRow> {
    const row = await this.#row(uid);
    if (!row) throw new StepError('signup_missing');
    if (step && toSignup(row).step !== step) throw new StepError('signup_step');
    return row;
  }

  async start(uid: string, input: { email: string; password: string }, lang: Lang, ip: string): Promise<Signup> {
    const { db, accounts, codes, limits } = this.#deps;
    const email = normalizeEmail(input.email);
    assertAcceptablePassword(input.password, email);
    if (await accounts.emailTaken(email)) throw new ConflictError('email_taken', 'an account with this e-mail address already exists');
    await limits.consume('send', ip, email);
    const passwordHash = await hashPassword(input.password);
    const id = randomUUID();
    await db.transaction(async (trx) => {
      const old = (await trx('signups').where({ interaction_uid: uid }).first('id')) as { id: string } | undefined;
      if (old) {
        await trx('verification_codes').where({ subject: old.id }).delete();
        await trx('signups').where({ id: old.id }).delete();
      }
      await trx('signups').insert({
        id,
        interaction_uid: uid,
        email,
        password_hash: passwordHash,
        lang,
        expires_at: new Date(Date.now() + SIGNUP_TTL_SECONDS * 1000),
      });
    });
    const issued = await codes.issue({ purpose: 'signup_email', subject: id, channel: 'email' });
    await this.#deps.notifier.mail(verificationMail(email, issued.code, lang));
    return { id, email, phoneE164: null, lang, step: 'email' };
  }

  async confirmEmail(uid: string, code: string, ip: string): Promise<void> {
    const row = await this.#require(uid);
    normalizeCode(code);
    await this.#deps.limits.consume('check', ip, row.id);
    await this.#deps.codes.consume({ purpose: 'signup_email', subject: row.id, code });
    await this.#deps.db('signups').where({ id: row.id }).update({ email_verified_at: new Date() });
  }

  async setPhone(uid: string, phone: string, lang: Lang, ip: string): Promise<void> {
    const { db, accounts, codes, limits, notifier } = this.#deps;
    const row = await this.#require(uid);
    if (!row.email_verified_at) throw new StepError('signup_step');
    const e164 = mobileToE164(phone);
    if (await accounts.phoneTaken(e164)) throw new ConflictError('phone_taken', 'an account with this mobile number already exists');
    const wait = await codes.cooldown('signup_phone', row.id);
    if (wait > 0) throw new RateLimitedError(wait, 'resend_wait');
    await limits.consume('send', ip, e164);
    await db('signups').where({ id: row.id }).update({ phone_e164: e164, phone_verified_at: null, lang });
    const issued = await codes.issue({ purpose: 'signup_phone', subject: row.id, channel: 'sms' });
    await notifier.sms(verificationSms(e164, issued.code, lang));
  }

  /** Sends a new code for the current step (after the cooldown). */
  async resend(uid: string, lang: Lang, ip: string): Promise<void> {
    const { codes, limits, notifier } = this.#deps;
    const row = await this.#require(uid);
    const step = toSignup(row).step;
    if (step === 'phone') throw new StepError('signup_step');
    const destination = step === 'email' ? row.email : row.phone_e164!;
    const wait = await codes.cooldown(step === 'email' ? 'signup_email' : 'signup_phone', row.id);
    if (wait > 0) throw new RateLimitedError(wait, 'resend_wait');
    await limits.consume('send', ip, destination);
    if (step === 'email') {
      const issued = await codes.issue({ purpose: 'signup_email', subject: row.id, channel: 'email' });
      await notifier.mail(verificationMail(destination, issued.code, lang));
    } else {
      const issued = await codes.issue({ purpose: 'signup_phone', subject: row.id, channel: 'sms' });
      await notifier.sms(verificationSms(destination, issued.code, lang));
    }
  }

  /** The last step: the SMS code. Creates the account; returns it with how it was authenticated. */
  async confirmPhone(uid: string, code: string, ip: string): Promise<{ account: Account; amr: AuthMethod[]; acr: string }> {
    const { db, accounts, codes, limits, events } = this.#deps;
    const row = await this.#require(uid, 'sms');
    normalizeCode(code);
    await limits.consume('check', ip, row.id);
    await codes.consume({ purpose: 'signup_phone', subject: row.id, code });
    if (await accounts.emailTaken(row.email)) throw new ConflictError('email_taken', 'an account with this e-mail address already exists');
    if (await accounts.phoneTaken(row.phone_e164!)) throw new ConflictError('phone_taken', 'an account with this mobile number already exists');
    const now = new Date();
    const account = await db.transaction(async (trx) => {
      const created = await accounts.insert(trx, {
        email: row.email,
        phoneE164: row.phone_e164,
        passwordHash: row.password_hash,
        role: 'resident',
        emailVerifiedAt: row.email_verified_at,
        phoneVerifiedAt: now,
      });
      await trx('verification_codes').where({ subject: row.id }).delete();
      await trx('signups').where({ id: row.id }).delete();
      return created;
    });
    const amr = amrFor(['pwd', 'otp', 'sms']);
    const acr = acrFor(amr);
    await events.record({ accountId: account.id, event: 'sign_up', amr, acr, ip });
    return { account, amr, acr };
  }
}
