import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { InvalidInputError } from '../core/errors.ts';
import { RateLimitedError } from '../ratelimit/rate-limits.ts';

export type CodePurpose = 'signup_email' | 'signup_phone' | 'sign_in' | 'email_change' | 'phone_change';
export type CodeChannel = 'email' | 'sms';

export const CODE_TTL_SECONDS = 600;
export const CODE_MAX_ATTEMPTS = 5;
export const RESEND_COOLDOWN_SECONDS = 60;

interface CodeRow {
  id: string;
  purpose: CodePurpose;
  subject: string;
  channel: CodeChannel;
  context: string | null;
  code_hash: string;
  attempts: number;
  sent_at: Date;
  expires_at: Date;
  consumed_at: Date | null;
}

export interface IssuedCode {
  id: string;
  /** The six digits to send; never stored or logged. */
  code: string;
}

/** Six digits as typed on a phone: full-width digits and spaces are forgiven. */
export function normalizeCode(input: string): string {
  const value = input.normalize('NFKC').replace(/\s/g, '');
  if (!/^\d{6}$/.test(value)) throw new InvalidInputError('code_format', 'the code has six digits');
  return value;
}

/**
 * Six-digit one-time codes sent by e-mail or SMS. Stored as an HMAC (keyed by the server's secret
 * and bound to the code's id), valid for 10 minutes, five tries, one use; a new code replaces the
 * old one, but not within the resend cooldown.
 */
export class VerificationCodes {
  readonly #db: Database;
  readonly #key: string;

  constructor(db: Database, key: string) {
    this.#db = db;
    this.#key = key;
  }

  #hash(id: string, code: string): string {
    return createHmac('sha256', this.#key).update(`${id}:${code}`).digest('hex');
  }

  async #latest(purpose: CodePurpose, subject: string): Promise<CodeRow | undefined> {
    return (await this.#db('verification_codes').where({ purpose, subject }).orderBy('sent_at', 'desc').first()) as CodeRow | undefined;
  }

  /** Seconds until another code may be sent (0 when it may be sent now). */
  async cooldown(purpose: CodePurpose, subject: string, now = new Date()): Promise<number> {
    const latest = await this.#latest(purpose, subject);
    if (!latest || latest.consumed_at) return 0;
    const wait = RESEND_COOLDOWN_SECONDS - Math.floor((now.getTime() - latest.sent_at.getTime()) / 1000);
    return Math.max(0, wait);
  }

  /**
   * Throws RateLimitedError during the cooldown (unless the caller has its own guard, `cooldown:
   * false`); otherwise replaces any earlier code.
   */
  async issue(input: { purpose: CodePurpose; subject: string; channel: CodeChannel; context?: string }, options: { cooldown?: boolean } = {}): Promise<IssuedCode> {
    const now = new Date();
    const wait = options.cooldown === false ? 0 : await this.cooldown(input.purpose, input.subject, now);
    if (wait > 0) throw new RateLimitedError(wait, 'resend_wait');
    const id = randomUUID();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.#db.transaction(async (trx) => {
      await trx('verification_codes').where({ purpose: input.purpose, subject: input.subject }).delete();
      await trx('verification_codes').insert({
        id,
        purpose: input.purpose,
        subject: input.subject,
        channel: input.channel,
        context: input.context ?? null,
        code_hash: this.#hash(id, code),
        attempts: 0,
        sent_at: now,
        expires_at: new Date(now.getTime() + CODE_TTL_SECONDS * 1000),
      });
    });
    return { id, code };
  }

  /**
   * Checks a code and uses it up. Throws InvalidInputError: `code_format`, `code_missing`,
   * `code_used`, `code_expired`, `code_attempts` (too many wrong tries: ask for a new code) or
   * `code_wrong`. A wrong code counts one try; nothing else changes.
   */
  async consume(input: { purpose: CodePurpose; subject: string; code: string; context?: string }): Promise<void> {
    const code = normalizeCode(input.code);
    const row = await this.#latest(input.purpose, input.subject);
    if (!row || (input.context !== undefined && row.context !== input.context)) throw new InvalidInputError('code_missing', 'no code was sent; ask for a new one');
    if (row.consumed_at) throw new InvalidInputError('code_used', 'this code was already used');
    if (row.expires_at.getTime() <= Date.now()) throw new InvalidInputError('code_expired', 'this code has expired; ask for a new one');
    if (row.attempts >= CODE_MAX_ATTEMPTS) throw new InvalidInputError('code_attempts', 'too many wrong codes; ask for a new one');
    const expected = Buffer.from(row.code_hash, 'hex');
    const given = Buffer.from(this.#hash(row.id, code), 'hex');
    if (!timingSafeEqual(expected, given)) {
      // Counted atomically, so parallel guesses cannot exceed the limit.
      const [updated] = (await this.#db('verification_codes')
        .where({ id: row.id })
        .andWhere('attempts', '<', CODE_MAX_ATTEMPTS)
        .increment('attempts', 1)
        .returning('attempts')) as Array<{ attempts: number }>;
      if (!updated || updated.attempts >= CODE_MAX_ATTEMPTS) throw new InvalidInputError('code_attempts', 'too many wrong codes; ask for a new one');
      throw new InvalidInputError('code_wrong', 'this code is not correct', { attemptsLeft: CODE_MAX_ATTEMPTS - updated.attempts });
    }
    const used = await this.#db('verification_codes').where({ id: row.id }).whereNull('consumed_at').update({ consumed_at: new Date() });
    if (used !== 1) throw new InvalidInputError('code_used', 'this code was already used');
  }

  /** The subject of the latest unused code that belongs to an interaction. */
  async pendingSubject(purpose: CodePurpose, context: string): Promise<string | undefined> {
    const row = (await this.#db('verification_codes').where({ purpose, context }).whereNull('consumed_at').orderBy('sent_at', 'desc').first('subject')) as
      | { subject: string }
      | undefined;
    return row?.subject;
  }

  async channelOf(purpose: CodePurpose, subject: string): Promise<CodeChannel | undefined> {
    return (await this.#latest(purpose, subject))?.channel;
  }

  async deleteFor(subject: string): Promise<void> {
    await this.#db('verification_codes').where({ subject }).delete();
  }
}
