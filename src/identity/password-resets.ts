import type { RememberedDevices } from './factors/remembered-devices.ts';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { Lang } from '../http/i18n.ts';
import type { Notifier } from '../notify/notifier.ts';
import { passwordResetMail } from '../notify/texts.ts';
import type { RateLimits } from '../ratelimit/rate-limits.ts';
import { type AccountService, normalizeEmail } from './accounts.ts';
import type { AuthEvents } from './auth-events.ts';
import { InvalidInputError } from './identity-errors.ts';
import type { Lockout } from './lockout.ts';
import { assertAcceptablePassword } from './password-policy.ts';
import { hashPassword } from './passwords.ts';

export const RESET_TTL_SECONDS = 1800;

interface ResetRow {
  id: string;
  account_id: string;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface PasswordResetDeps {
  db: Database;
  accounts: AccountService;
  notifier: Notifier;
  limits: RateLimits;
  lockout: Lockout;
  events: AuthEvents;
  devices: RememberedDevices;
  issuer: string;
}

/**
 * Password reset by e-mail link. The token has 256 random bits, only its SHA-256 is stored, it
 * works once and for 30 minutes. Asking for a reset says the same whether or not the address has
 * an account, so the page does not reveal who is registered.
 */
export class PasswordResets {
  readonly #deps: PasswordResetDeps;

  constructor(deps: PasswordResetDeps) {
    this.#deps = deps;
  }

  async request(emailInput: string, lang: Lang, ip: string): Promise<void> {
    const { db, accounts, limits, notifier, issuer } = this.#deps;
    const email = normalizeEmail(emailInput);
    await limits.consume('send', ip, email);
    const account = await accounts.findByEmail(email);
    if (!account) return;
    const token = randomBytes(32).toString('base64url');
    await db('password_resets').insert({
      id: randomUUID(),
      account_id: account.id,
      token_hash: tokenHash(token),
      expires_at: new Date(Date.now() + RESET_TTL_SECONDS * 1000),
    });
    const link = `${issuer}/password/reset?token=${token}`;
    await notifier.mail(passwordResetMail(account.email, link, lang));
  }

  /** The account a token may reset; throws `reset_invalid`, `reset_used` or `reset_expired`. */
  async check(token: string): Promise<{ accountId: string; email: string }> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new InvalidInputError('reset_invalid', 'this link is not valid');
    const row = (await this.#deps.db('password_resets').where({ token_hash: tokenHash(token) }).first()) as ResetRow | undefined;
    if (!row) throw new InvalidInputError('reset_invalid', 'this link is not valid');
    if (row.used_at) throw new InvalidInputError('reset_used', 'this link was already used');
    if (row.expires_at.getTime() <= Date.now()) throw new InvalidInputError('reset_expired', 'this link has expired');
    const account = await this.#deps.accounts.findById(row.account_id);
    if (!account) throw new InvalidInputError('reset_invalid', 'this link is not valid');
    return { accountId: account.id, email: account.email };
  }

  async complete(token: string, password: string, ip: string): Promise<void> {
    const { db, accounts, limits, lockout, events } = this.#deps;
    await limits.consume('check', ip);
    const { accountId, email } = await this.check(token);
    assertAcceptablePassword(password, email);
    const passwordHash = await hashPassword(password);
    await db.transaction(async (trx) => {
      const used = await trx('password_resets').where({ token_hash: tokenHash(token) }).whereNull('used_at').update({ used_at: new Date() });
      if (used !== 1) throw new InvalidInputError('reset_used', 'this link was already used');
      await accounts.setPasswordHash(trx, accountId, passwordHash);
      await trx('password_resets').where({ account_id: accountId }).whereNull('used_at').delete();
      // A remembered browser stood for a code given with the old password: it no longer does.
      await this.#deps.devices.revokeAll(accountId, trx);
    });
    await lockout.clear(accountId);
    await events.record({ accountId, event: 'password_reset', ip });
  }
}
