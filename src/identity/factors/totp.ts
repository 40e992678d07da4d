/**
 * Authenticator apps (TOTP, RFC 6238 over HOTP, RFC 4226): HMAC-SHA1, 6 digits, 30-second steps,
 * the format every authenticator app reads from an otpauth:// URI. One authenticator per account;
 * its secret is sealed at rest, and a code is accepted once: the last used time step is kept, so a
 * code seen over a shoulder cannot be replayed within its window (RFC 6238 §5.2).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { InvalidInputError } from '../../core/errors.ts';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now still accepted: a phone clock off by up to 30 seconds. */
const DRIFT_STEPS = 1;
const TABLE = 'totp_authenticators';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new InvalidInputError('totp_secret_invalid', 'not a base32 secret');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** HOTP (RFC 4226 §5.3) of one counter value. */
export function hotp(secret: Uint8Array, counter: number, digits = TOTP_DIGITS, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The time step within the drift window whose code this is, or undefined. */
export function matchingStep(secret: Uint8Array, code: string, at: Date): number | undefined {
  const now = totpStep(at);
  for (let step = now - DRIFT_STEPS; step <= now + DRIFT_STEPS; step += 1) {
    const expected = Buffer.from(hotp(secret, step));
    if (expected.length === code.length && timingSafeEqual(expected, Buffer.from(code))) return step;
  }
  return undefined;
}

export function otpauthUri(secret: string, account: string, issuer = 'PASS'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret, issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_PERIOD_SECONDS) });
  return `otpauth://totp/${label}?${query.toString()}`;
}

/** Six digits, spaces and hyphens as people type them dropped; anything else refused. */
export function normalizeTotpCode(input: string): string {
  const code = input.normalize('NFKC').replace(/[\s-]/g, '');
  if (!/^\d{6}$/.test(code)) throw new InvalidInputError('totp_code_format', 'the code is the six digits the authenticator app shows');
  return code;
}

interface TotpRow {
  account_id: string;
  secret_sealed: string | null;
  pending_sealed: string | null;
  confirmed_at: Date | null;
  last_step: string | number;
}

export interface TotpStatus {
  enrolled: boolean;
  confirmedAt: Date | null;
}

export class TotpAuthenticators {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #now: () => Date;

  constructor(db: Database, box: SecretBox, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#box = box;
    this.#now = now;
  }

  async status(accountId: string): Promise<TotpStatus> {
    const row = await this.#db<TotpRow>(TABLE).where({ account_id: accountId }).first();
    return { enrolled: Boolean(row?.confirmed_at), confirmedAt: row?.confirmed_at ?? null };
  }

  async enrolled(accountId: string): Promise<boolean> {
    return (await this.status(accountId)).enrolled;
  }

  /**
   * A new secret for the app to scan, kept pending. A confirmed authenticator keeps working until
   * the new one is confirmed, so a resident who abandons the setup half-way is not locked out.
   */
  async begin(accountId: string, label: string): Promise<{ secret: string; otpauthUri: string }> {
    const secret = base32Encode(randomBytes(20));
    const pending = this.#box.seal(secret, `totp-pending:${accountId}`);
    await this.#db(TABLE).insert({ account_id: accountId, pending_sealed: pending, last_step: 0 }).onConflict('account_id').merge(['pending_sealed']);
    return { secret, otpauthUri: otpauthUri(secret, label) };
  }

  /** The first code from the app proves it holds the secret: the pending secret becomes the account's. */
  async confirm(accountId: string, input: string): Promise<Date> {
    const code = normalizeTotpCode(input);
    return this.#db.transaction(async (trx) => {
      const row = await trx<TotpRow>(TABLE).where({ account_id: accountId }).forUpdate().first();
      if (!row?.pending_sealed) throw new InvalidInputError('totp_not_started', 'start the authenticator app setup first');
      const secret = base32Decode(this.#box.open(row.pending_sealed, `totp-pending:${accountId}`).toString());
      const step = matchingStep(secret, code, this.#now());
      if (step === undefined) throw new InvalidInputError('totp_code_invalid', 'the code does not match the authenticator app');
      const confirmedAt = this.#now();
      await trx(TABLE)
        .where({ account_id: accountId })
        .update({ secret_sealed: this.#box.seal(secret, `totp:${accountId}`), pending_sealed: null, confirmed_at: confirmedAt, last_step: step });
      return confirmedAt;
    });
  }

  /**
   * Installs a known secret as confirmed, when none is set: only for development demo accounts,
   * whose secret is printed in README.md like their password.
   */
  async adoptDemoSecret(accountId: string, base32Secret: string): Promise<void> {
    const secret = base32Decode(base32Secret);
    await this.#db(TABLE)
      .insert({ account_id: accountId, secret_sealed: this.#box.seal(secret, `totp:${accountId}`), confirmed_at: this.#now(), last_step: 0 })
      .onConflict('account_id')
      .ignore();
  }

  /** A sign-in code: true once per time step; a code of a step already used is refused like a wrong one. */
  async verify(accountId: string, input: string): Promise<boolean> {
    const code = normalizeTotpCode(input);
    return this.#db.transaction(async (trx) => {
      const row = await trx<TotpRow>(TABLE).where({ account_id: accountId }).forUpdate().first();
      if (!row?.confirmed_at || !row.secret_sealed) return false;
      const secret = this.#box.open(row.secret_sealed, `totp:${accountId}`);
      const step = matchingStep(secret, code, this.#now());
      if (step === undefined || step <= Number(row.last_step)) return false;
      await trx(TABLE).where({ account_id: accountId }).update({ last_step: step });
      return true;
    });
  }

  async remove(accountId: string): Promise<boolean> {
    return (await this.#db(TABLE).where({ account_id: accountId }).delete()) > 0;
  }
}
