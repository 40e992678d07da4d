import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';
import { ConflictError, InvalidInputError } from '../core/errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { assertAcceptablePassword } from './password-policy.ts';
import { looksLikePhone, mobileToE164, phoneDigits } from './phone.ts';
import type { AccountCache, AccountWithSelf } from './account-cache.ts';

export { mobileToE164 } from './phone.ts';

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

export function normalizeEmail(email: string): string {
  const value = email.normalize('NFKC').trim().toLowerCase();
  if (!EMAIL.test(value)) throw new InvalidInputError('invalid_email', 'not a valid e-mail address');
  return value;
}

/** The column and value a sign-in name (e-mail or mobile number, with or without hyphens) is looked up by. */
export function loginKey(login: string): { column: 'email' | 'phone_e164'; value: string } {
  if (looksLikePhone(login)) return { column: 'phone_e164', value: `+81${phoneDigits(login).slice(1)}` };
  return { column: 'email', value: login.normalize('NFKC').trim().toLowerCase() };
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

/** An account with what sign-in needs besides the public fields. */
export interface AccountCredentials {
  account: Account;
  passwordHash: string;
}

export class AccountService {
  readonly #db: Database;
  readonly #cache: AccountCache | undefined;

  constructor(db: Database, cache?: AccountCache) {
    this.#db = db;
    this.#cache = cache;
  }

  async create(input: CreateAccountInput): Promise<Account> {
    const email = normalizeEmail(input.email);
    const phone = input.phone ? mobileToE164(input.phone) : null;
    assertAcceptablePassword(input.password, email);
    if (await this.emailTaken(email)) throw new ConflictError('email_taken', 'an account with this e-mail address already exists');
    if (phone && (await this.phoneTaken(phone))) throw new ConflictError('phone_taken', 'an account with this mobile number already exists');
    const now = new Date();
    return this.insert(this.#db, {
      email,
      phoneE164: phone,
      passwordHash: await hashPassword(input.password),
      role: input.role ?? 'resident',
      emailVerifiedAt: input.verified ? now : null,
      phoneVerifiedAt: input.verified && phone ? now : null,
    });
  }

  /** Inserts a prepared account (sign-up has hashed and confirmed everything already). */
  async insert(
    db: Database | Knex.Transaction,
    input: { email: string; phoneE164: string | null; passwordHash: string; role: AccountRole; emailVerifiedAt: Date | null; phoneVerifiedAt: Date | null },
  ): Promise<Account> {
    const row = {
      id: randomUUID(),
      email: input.email,
      phone_e164: input.phoneE164,
      password_hash: input.passwordHash,
      role: input.role,
      email_verified_at: input.emailVerifiedAt,
      phone_verified_at: input.phoneVerifiedAt,
    };
    const [created] = (await db('accounts').insert(row).returning('*')) as AccountRow[];
    return toAccount(created!);
  }

  async emailTaken(email: string): Promise<boolean> {
    return Boolean(await this.#db('accounts').where({ email }).first('id'));
  }

  async phoneTaken(phoneE164: string): Promise<boolean> {
    return Boolean(await this.#db('accounts').where({ phone_e164: phoneE164 }).first('id'));
  }

  async findById(id: string): Promise<Account | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const row = (await this.#db('accounts').where({ id }).first()) as AccountRow | undefined;
    return row ? toAccount(row) : undefined;
  }

  /**
   * The account and its own person (relation 'self', the oldest) in one query: token and userinfo
   * requests need both, and each round trip to the database counts on that path. Served from the
   * node's AccountCache when it holds the account.
   */
  async findWithSelfPerson(id: string): Promise<AccountWithSelf | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const cached = this.#cache?.get(id);
    if (cached) return cached;
    const epoch = this.#cache?.epoch ?? 0;
    const self = this.#db('persons').where('persons.account_id', this.#db.ref('accounts.id')).andWhere('persons.relation', 'self').orderBy('persons.created_at').limit(1).select('persons.id');
    const row = (await this.#db('accounts').where('accounts.id', id).first('accounts.*', self.as('self_person_id'))) as (AccountRow & { self_person_id: string | null }) | undefined;
    if (!row) return undefined;
    const found = { account: toAccount(row), selfPersonId: row.self_person_id ?? undefined };
    this.#cache?.set(id, found, epoch);
    return found;
  }

  async findByEmail(email: string): Promise<Account | undefined> {
    const row = (await this.#db('accounts').where({ email: email.trim().toLowerCase() }).first()) as AccountRow | undefined;
    return row ? toAccount(row) : undefined;
  }

  /** The account a sign-in name (e-mail or mobile number) belongs to, with its password hash. */
  async findCredentials(login: string): Promise<AccountCredentials | undefined> {
    const { column, value } = loginKey(login);
    const row = (await this.#db('accounts').where({ [column]: value }).first()) as AccountRow | undefined;
    return row ? { account: toAccount(row), passwordHash: row.password_hash } : undefined;
  }

  /**
   * The account whose e-mail or mobile number and password match, or undefined. Sign-in pages use
   * SignInService (rate limits, lockout, events); this is for tools and tests.
   */
  async authenticate(login: string, password: string): Promise<Account | undefined> {
    const found = await this.findCredentials(login);
    const ok = await verifyPassword(found?.passwordHash ?? (await dummyHash()), password);
    return found && ok ? found.account : undefined;
  }

  async setPasswordHash(db: Database | Knex.Transaction, accountId: string, passwordHash: string): Promise<void> {
    await db('accounts').where({ id: accountId }).update({ password_hash: passwordHash, updated_at: new Date() });
  }

  async list(): Promise<Account[]> {
    return ((await this.#db('accounts').orderBy('created_at')) as AccountRow[]).map(toAccount);
  }
}

/**
 * Locks the account's row until the caller's transaction ends, so changes made for one account run
 * one after another; false when the account no longer exists.
 */
export async function lockAccount(trx: Knex.Transaction, accountId: string): Promise<boolean> {
  return Boolean(await trx('accounts').where({ id: accountId }).forUpdate().first('id'));
}

let dummy: Promise<string> | undefined;

/** Verify against this when the account is unknown, so timing does not reveal which accounts exist. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('pass-timing-equaliser');
  return dummy;
}
