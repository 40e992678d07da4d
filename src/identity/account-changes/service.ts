/**
 * A resident changes their own account's contacts and password (PASS app, /api/account):
 * - e-mail address: a code goes to the NEW address; only that code changes it (verified at once);
 *   the old address is told, with the new one masked.
 * - mobile number: a code by SMS to the NEW number; only that code changes it; the old number is
 *   told by SMS and the e-mail address by mail. Remembered devices stay remembered (they stand for
 *   a code given earlier to the account, not to a number); the answer says how many there are so
 *   the app can say so and point to where they are forgotten.
 * - password: the current password first; the new one under the password policy; every remembered
 *   device is forgotten (it stood for a code given with the old password) and the address is told.
 * Each change is one transaction with its audit entry (ids only, never the addresses).
 * A code is bound to the address it was sent to (the code's context is a hash of it), so the code
 * for one address can never confirm another.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from '../../db/database.ts';
import type { Lang } from '../../http/i18n.ts';
import type { Notifier } from '../../notify/notifier.ts';
import type { RateLimits } from '../../ratelimit/rate-limits.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../core/errors.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { lockAccount, normalizeEmail, type AccountService } from '../accounts.ts';
import { assertAcceptablePassword } from '../password-policy.ts';
import { hashPassword, verifyPassword } from '../passwords.ts';
import { maskEmail, maskPhone, mobileToE164 } from '../phone.ts';
import { selfPersonOf } from '../persons.ts';
import { normalizeCode, type CodePurpose, type VerificationCodes } from '../verification-codes.ts';
import type { RememberedDevices } from '../factors/remembered-devices.ts';
import { contactsOf, isUniqueViolation, storeEmail, storePhone, type ContactRow } from './store.ts';
import { emailChangeCodeMail, emailChangedNotice, passwordChangedMail, phoneChangeCodeSms, phoneChangedNoticeMail, phoneChangedNoticeSms } from './texts.ts';

export interface AccountChangeDeps {
  db: Database;
  accounts: AccountService;
  codes: VerificationCodes;
  notifier: Notifier;
  limits: RateLimits;
  devices: RememberedDevices;
}

/** The account as its own screen shows it. */
export interface AccountContacts {
  email: string;
  phoneE164: string | null;
  phoneVerified: boolean;
}

/** Where a code went, masked as the screen repeats it. */
export interface CodeSent {
  sentTo: string;
}

/** The code's context: which address it was sent to (a hash: the table never holds the address twice). */
function destinationContext(kind: 'email' | 'phone', value: string): string {
  return createHash('sha256').update(`${kind}:${value}`).digest('hex');
}

export class AccountChanges {
  readonly #d: AccountChangeDeps;

  constructor(deps: AccountChangeDeps) {
    this.#d = deps;
  }

  async #contacts(accountId: string): Promise<ContactRow> {
    const found = await contactsOf(this.#d.db, accountId);
    if (!found) throw new NotFoundError('account_missing', 'the account does not exist');
    return found;
  }

  async contacts(accountId: string): Promise<AccountContacts> {
    const { email, phoneE164, phoneVerified } = await this.#contacts(accountId);
    return { email, phoneE164, phoneVerified };
  }

  /** Sends a code to the new address (after the resend cooldown); nothing changes yet. */
  async startEmailChange(accountId: string, input: string, lang: Lang, ip: string): Promise<CodeSent> {
    const email = normalizeEmail(input);
    const current = await this.#contacts(accountId);
    if (email === current.email) throw new InvalidInputError('email_unchanged', 'this is the address the account has now');
    if (await this.#d.accounts.emailTaken(email)) throw new ConflictError('email_taken', 'another account has this e-mail address');
    await this.#d.limits.consume('send', ip, email);
    const issued = await this.#d.codes.issue({ purpose: 'email_change', subject: accountId, channel: 'email', context: destinationContext('email', email) });
    await this.#d.notifier.mail(emailChangeCodeMail(email, issued.code, lang));
    return { sentTo: maskEmail(email) };
  }

  /** The code sent to the new address: the account takes it (verified), the old address is told. */
  async confirmEmailChange(accountId: string, input: string, code: string, lang: Lang, ip: string): Promise<{ email: string; noticeSent: boolean }> {
    const email = normalizeEmail(input);
    await this.#checkCode('email_change', accountId, destinationContext('email', email), code, ip);
    const old = await this.#change(accountId, 'account.email_changed', async (trx, at, current) => {
      if (current.email === email) throw new InvalidInputError('email_unchanged', 'this is the address the account has now');
      try {
        await storeEmail(trx, accountId, email, at);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('email_taken', 'another account has this e-mail address');
        throw error;
      }
    });
    const noticeSent = await this.#tell(() => this.#d.notifier.mail(emailChangedNotice(old.email, maskEmail(email), lang)));
    return { email, noticeSent };
  }

  /** Sends a code by SMS to the new number (after the resend cooldown); nothing changes yet. */
  async startPhoneChange(accountId: string, input: string, lang: Lang, ip: string): Promise<CodeSent> {
    const phone = mobileToE164(input);
    const current = await this.#contacts(accountId);
    if (phone === current.phoneE164 && current.phoneVerified) throw new InvalidInputError('phone_unchanged', 'this is the number the account has now');
    if (phone !== current.phoneE164 && (await this.#d.accounts.phoneTaken(phone))) throw new ConflictError('phone_taken', 'another account has this mobile number');
    await this.#d.limits.consume('send', ip, phone);
    const issued = await this.#d.codes.issue({ purpose: 'phone_change', subject: accountId, channel: 'sms', context: destinationContext('phone', phone) });
    await this.#d.notifier.sms(phoneChangeCodeSms(phone, issued.code, lang));
    return { sentTo: maskPhone(phone) };
  }

  /**
   * The SMS code sent to the new number: the account takes it (verified); the old number and the
   * e-mail address are told. Remembered devices stay: `rememberedDevices` says how many.
   */
  async confirmPhoneChange(accountId: string, input: string, code: string, lang: Lang, ip: string): Promise<{ phoneE164: string; rememberedDevices: number; noticeSent: boolean }> {
    const phone = mobileToE164(input);
    await this.#checkCode('phone_change', accountId, destinationContext('phone', phone), code, ip);
    const old = await this.#change(accountId, 'account.phone_changed', async (trx, at, current) => {
      if (current.phoneE164 === phone && current.phoneVerified) throw new InvalidInputError('phone_unchanged', 'this is the number the account has now');
      try {
        await storePhone(trx, accountId, phone, at);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('phone_taken', 'another account has this mobile number');
        throw error;
      }
    });
    const masked = maskPhone(phone);
    const sms = old.phoneE164 && old.phoneE164 !== phone ? await this.#tell(() => this.#d.notifier.sms(phoneChangedNoticeSms(old.phoneE164!, masked, lang))) : true;
    const mail = await this.#tell(() => this.#d.notifier.mail(phoneChangedNoticeMail(old.email, masked, lang)));
    return { phoneE164: phone, rememberedDevices: (await this.#d.devices.list(accountId)).length, noticeSent: sms && mail };
  }

  /** The current password, then the new one: stored, every remembered device forgotten, the address told. */
  async changePassword(accountId: string, currentPassword: string, newPassword: string, lang: Lang, ip: string): Promise<{ rememberedDevicesRevoked: number; noticeSent: boolean }> {
    await this.#d.limits.consume('check', ip, accountId);
    const current = await this.#contacts(accountId);
    if (!(await verifyPassword(current.passwordHash, currentPassword))) throw new InvalidInputError('current_password_wrong', 'the current password is not correct');
    if (newPassword === currentPassword) throw new InvalidInputError('password_unchanged', 'the new password is the current one');
    assertAcceptablePassword(newPassword, current.email);
    const passwordHash = await hashPassword(newPassword);
    // A remembered browser stood for a code given with the old password: it no longer does. Forgotten
    // first, so a change that fails half-way leaves the safer state.
    const revoked = await this.#d.devices.revokeAll(accountId);
    await this.#change(accountId, 'account.password_changed', async (trx) => this.#d.accounts.setPasswordHash(trx, accountId, passwordHash), { remembered_devices_revoked: revoked });
    const noticeSent = await this.#tell(() => this.#d.notifier.mail(passwordChangedMail(current.email, lang)));
    return { rememberedDevicesRevoked: revoked, noticeSent };
  }

  async #checkCode(purpose: CodePurpose, accountId: string, context: string, code: string, ip: string): Promise<void> {
    normalizeCode(code);
    await this.#d.limits.consume('check', ip, accountId);
    await this.#d.codes.consume({ purpose, subject: accountId, code, context });
  }

  /** One change under the account's row lock, audited in the same transaction; returns the account as it was. */
  async #change(
    accountId: string,
    action: 'account.email_changed' | 'account.phone_changed' | 'account.password_changed',
    write: (trx: Knex.Transaction, at: Date, current: ContactRow) => Promise<void>,
    details: Record<string, unknown> = {},
  ): Promise<ContactRow> {
    const personId = await selfPersonOf(this.#d.db, accountId);
    return this.#d.db.transaction(async (trx) => {
      if (!(await lockAccount(trx, accountId))) throw new NotFoundError('account_missing', 'the account does not exist');
      const current = (await contactsOf(trx, accountId))!;
      await write(trx, new Date(), current);
      await appendAudit(trx, { actorAccountId: accountId, action, personId, details });
      return current;
    });
  }

  /** A notice that could not be sent does not undo the change it tells of. */
  async #tell(send: () => Promise<void>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch {
      return false;
    }
  }
}
