/**
 * Browsers a resident chose to remember after a second factor ("この端末を記憶する"): for a
 * bounded time (REMEMBER_DEVICE_DAYS, default 30) the password alone signs them in on that browser
 * again. The cookie holds `<id>.<secret>.<mac>`: the MAC (HMAC-SHA256 under the cookie key) makes a
 * forged or altered cookie fail before any lookup; only a hash of the secret is stored, so a copy of
 * the table cannot be turned into cookies. Each device can be revoked from the app, and all of an
 * account's devices are revoked when its password changes.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from '../../db/database.ts';

const TABLE = 'remembered_devices';
export const DEVICE_COOKIE = 'pass_device';

export type RememberedFactor = 'sms' | 'otp';

export interface RememberedDevice {
  id: string;
  label: string;
  factor: RememberedFactor;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
}

interface DeviceRow {
  id: string;
  account_id: string;
  secret_hash: string;
  factor: RememberedFactor;
  label: string;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date;
  revoked_at: Date | null;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** A short, readable name of the browser from its User-Agent: "Chrome (Android)", "Safari (iPhone)". */
export function deviceLabel(userAgent: string): string {
  const ua = userAgent.slice(0, 512);
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const system = /iPhone/.test(ua) ? 'iPhone' : /iPad/.test(ua) ? 'iPad' : /Android/.test(ua) ? 'Android' : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'Mac' : /Linux/.test(ua) ? 'Linux' : 'unknown';
  return `${browser} (${system})`;
}

export class RememberedDevices {
  readonly #db: Database;
  readonly #key: string;
  readonly #days: number;
  readonly #now: () => Date;

  constructor(db: Database, cookieKey: string, days: number, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#key = cookieKey;
    this.#days = days;
    this.#now = now;
  }

  /** 0 turns remembering off. */
  get days(): number {
    return this.#days;
  }

  #mac(body: string): string {
    return createHmac('sha256', this.#key).update(`pass-device:${body}`).digest('base64url');
  }

  /** Remembers this browser for the account; returns the cookie value and its lifetime. */
  async remember(accountId: string, factor: RememberedFactor, userAgent: string): Promise<{ cookie: string; maxAgeMs: number } | undefined> {
    if (this.#days <= 0) return undefined;
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const now = this.#now();
    const maxAgeMs = this.#days * 86_400_000;
    await this.#db(TABLE).insert({
      id,
      account_id: accountId,
      secret_hash: sha256(secret),
      factor,
      label: deviceLabel(userAgent),
      created_at: now,
      expires_at: new Date(now.getTime() + maxAgeMs),
    });
    const body = `${id}.${secret}`;
    return { cookie: `${body}.${this.#mac(body)}`, maxAgeMs };
  }

  /** The factor this browser was remembered with, when its cookie is valid for this account now. */
  async recognise(cookie: string | undefined, accountId: string): Promise<RememberedFactor | undefined> {
    if (!cookie || this.#days <= 0 || cookie.length > 200) return undefined;
    const [id, secret, mac] = cookie.split('.');
    if (!id || !secret || !mac || !/^[0-9a-f-]{36}$/.test(id)) return undefined;
    const expected = Buffer.from(this.#mac(`${id}.${secret}`));
    if (expected.length !== mac.length || !timingSafeEqual(expected, Buffer.from(mac))) return undefined;
    const row = await this.#db<DeviceRow>(TABLE).where({ id, account_id: accountId }).first();
    const now = this.#now();
    if (!row || row.revoked_at || row.expires_at <= now || row.secret_hash !== sha256(secret)) return undefined;
    await this.#db(TABLE).where({ id }).update({ last_used_at: now });
    return row.factor;
  }

  async list(accountId: string): Promise<RememberedDevice[]> {
    const rows = await this.#db<DeviceRow>(TABLE)
      .where({ account_id: accountId })
      .whereNull('revoked_at')
      .where('expires_at', '>', this.#now())
      .orderBy('created_at', 'desc');
    return rows.map((row) => ({ id: row.id, label: row.label, factor: row.factor, createdAt: row.created_at, lastUsedAt: row.last_used_at, expiresAt: row.expires_at }));
  }

  async revoke(accountId: string, id: string): Promise<boolean> {
    return (await this.#db(TABLE).where({ account_id: accountId, id }).whereNull('revoked_at').update({ revoked_at: this.#now() })) > 0;
  }

  /** Every browser of the account; `trx` when it goes with another change (a new password). */
  async revokeAll(accountId: string, trx: Knex = this.#db): Promise<number> {
    return trx(TABLE).where({ account_id: accountId }).whereNull('revoked_at').update({ revoked_at: this.#now() });
  }
}
