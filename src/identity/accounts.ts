import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { ConflictError, InvalidInputError } from '../core/errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export type AccountRole = 'resident' | 'staff' | 'admin';

export interface Account {
  id: string;
  email: string;
  phoneE164: string | null;
  role: AccountRole;
  emailVerified: boolean;
  phoneVerified: boolean;
  createdAt: Date;
}

interface AccountRow {
  id: string;
  email: string;
  phone_e164: string | null;
  password_hash: string;
  role: AccountRole;
  email_verified_at: Date | null;
  phone_verified_at: Date | null;
  created_at: Date;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/;
/** Japanese mobile numbers: 070, 080 or 090 and eight digits, no hyphens. */
const JP_MOBILE = /^0[789]0\d{8}$/;

export function normalizeEmail(email: string): string {
  const value = email.trim().toLowerCase();
  if (!EMAIL.test(value)) throw new InvalidInputError('invalid_email', 'not a valid e-mail address');
  return value;
}

export function mobileToE164(phone: string): string {
  if (!JP_MOBILE.test(phone)) {
    throw new InvalidInputError('invalid_phone', 'a mobile number starts with 070, 080 or 090 and has 11 digits, without hyphens');
  }
  return `+81${phone.slice(1)}`;
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    email: row.email,
    phoneE164: row.phone_e164,
    role: row.role,
    emailVerified: row.email_verified_at !== null,
    phoneVerified: row.phone_verified_at !== null,
    createdAt: row.created_at,
  };
}

export interface CreateAccountInput {
  email: string;
  password: string;
  phone?: string | undefined;
  role?: AccountRole;
  /** Operators creating accounts for tests and staff vouch for the contact details. */
  verified?: boolean;
}

export class AccountService {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async create(input: CreateAccountInput): Promise<Account> {
    const email = normalizeEmail(input.email);
    const phone = input.phone ? mobileToE164(input.phone) : null;
    if (input.password.length < 8) throw new InvalidInputError('weak_password', 'a password needs at least 8 characters');
    if (await this.#db('accounts').where({ email }).first()) {
      throw new ConflictError('email_taken', 'an account with this e-mail address already exists');
    }
    const now = new Date();
    const row = {
      id: randomUUID(),
      email,
      phone_e164: phone,
      password_hash: await hashPassword(input.password),
      role: input.role ?? 'resident',
      email_verified_at: input.verified ? now : null,
      phone_verified_at: input.verified && phone ? now : null,
    };
    const [created] = (await this.#db('accounts').insert(row).returning('*')) as AccountRow[];
    return toAccount(created!);
  }

  async findById(id: string): Promise<Account | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const row = (await this.#db('accounts').where({ id }).first()) as AccountRow | undefined;
    return row ? toAccount(row) : undefined;
  }

  /** The account whose e-mail or mobile number and password match, or undefined. */
  async authenticate(login: string, password: string): Promise<Account | undefined> {
    const value = login.trim();
    const column = /^0\d+$/.test(value) ? 'phone_e164' : 'email';
    const key = column === 'email' ? value.toLowerCase() : `+81${value.slice(1)}`;
    const row = (await this.#db('accounts').where({ [column]: key }).first()) as AccountRow | undefined;
    // Verify against a dummy hash when the account is unknown, so timing does not reveal it.
    const ok = await verifyPassword(row?.password_hash ?? DUMMY_HASH, password);
    return row && ok ? toAccount(row) : undefined;
  }

  async list(): Promise<Account[]> {
    return ((await this.#db('accounts').orderBy('created_at')) as AccountRow[]).map(toAccount);
  }
}

const DUMMY_HASH = await hashPassword('pass-timing-equaliser');
