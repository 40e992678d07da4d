/**
 * Pre-registration of a household member (issue 16, "誰一人取り残さない"; the Digital Agency's PIN
 * reset follows the same pattern: a remote step, then the in-person step within 24 hours). The
 * representative names the member from the PASS app — name and birthdate as the card will say
 * them, and the relation — and the member completes proofing at a municipal kiosk with their card,
 * PIN and face (kiosk-enrollment.ts). Rules, each refused with its own reason and nothing changed:
 *   - only a representative (an adult proofed with the signature certificate) pre-registers;
 *   - the relation must fit the dates of birth, as for any member;
 *   - at most MAX_PENDING pending per household, and one per person;
 *   - it lasts PREREGISTRATION_TTL_MS: expiry is by time (the injected clock), checked on use and
 *     shown as expired; expired rows are deleted a week later;
 *   - only the household's representative cancels it.
 * The name and birthdate are sealed; the kiosk finds the row by a keyed hash of the two.
 */
import { createHmac, hkdfSync, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';
import type { SecretBox } from '../core/secret-box.ts';
import type { FactsReader } from '../claims/facts.ts';
import { residentOf } from '../claims/derive.ts';
import { municipalityNames } from '../facilities/municipalities.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { lockAccount } from '../identity/accounts.ts';
import { householdOf } from './directory.ts';
import { FamilyError } from './errors.ts';
import { ensureHousehold, MAX_MEMBERS, type HouseholdService, type MemberRelation } from './household-service.ts';

const TABLE = 'household_preregistrations';
export const PREREGISTRATION_TTL_MS = 24 * 3600_000;
export const MAX_PENDING = 3;
/** How long an expired pre-registration is still shown (as expired) before it is deleted. */
const KEEP_EXPIRED_MS = 7 * 86_400_000;

export type PreregistrationState = 'pending' | 'expired' | 'completed' | 'cancelled';

export interface Preregistration {
  id: string;
  householdId: string;
  representativeAccountId: string;
  relation: MemberRelation;
  name: string;
  birthdate: string;
  municipalityCode: string | undefined;
  state: PreregistrationState;
  createdAt: Date;
  expiresAt: Date;
  personId: string | undefined;
}

interface Row {
  id: string;
  household_id: string;
  representative_account_id: string;
  relation: string;
  facts_sealed: string;
  match_key: string;
  municipality_code: string | null;
  status: 'pending' | 'completed' | 'cancelled';
  created_at: Date;
  expires_at: Date;
  person_id: string | null;
}

export interface PreregistrationsDeps {
  db: Database;
  box: SecretBox;
  households: HouseholdService;
  facts: FactsReader;
  identityHashKey: string;
  now?: () => Date;
}

const sealContext = (id: string) => `household-preregistration:${id}`;

/** The name as compared: full- and half-width forms alike (NFKC), no spaces of any width. */
export function comparableName(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '');
}

function viewOf(box: SecretBox, row: Row, now: Date): Preregistration {
  const facts = JSON.parse(box.openText(row.facts_sealed, sealContext(row.id))) as { name: string; birthdate: string };
  const expired = row.status === 'pending' && new Date(row.expires_at).getTime() <= now.getTime();
  return {
    id: row.id,
    householdId: row.household_id,
    representativeAccountId: row.representative_account_id,
    relation: row.relation as MemberRelation,
    name: facts.name,
    birthdate: facts.birthdate,
    municipalityCode: row.municipality_code ?? undefined,
    state: expired ? 'expired' : row.status,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    personId: row.person_id ?? undefined,
  };
}

/** Pending pre-registrations (expired ones flagged) of the given municipalities, soonest expiry first: PASS Manager's list. */
export async function pendingPreregistrationsIn(db: Knex, box: SecretBox, municipalityCodes: readonly string[], now = new Date()): Promise<Preregistration[]> {
  if (municipalityCodes.length === 0) return [];
  const rows = (await db(TABLE).whereIn('municipality_code', [...municipalityCodes]).where({ status: 'pending' }).orderBy('expires_at')) as Row[];
  return rows.map((r) => viewOf(box, r, now));
}

export class Preregistrations {
  readonly #d: PreregistrationsDeps;
  readonly #matchKey: Uint8Array;
  /** The clock expiry is judged by (injected; tests move it a day on). */
  now: () => Date;

  constructor(deps: PreregistrationsDeps) {
    this.#d = deps;
    this.now = deps.now ?? (() => new Date());
    this.#matchKey = new Uint8Array(hkdfSync('sha256', deps.identityHashKey, 'pass-households', 'PASS pre-registration match key v1', 32));
  }

  matchKey(name: string, birthdate: string): string {
    return createHmac('sha256', this.#matchKey).update(`${comparableName(name)}\0${birthdate}`).digest('hex');
  }

  #view(row: Row, now: Date): Preregistration {
    return viewOf(this.#d.box, row, now);
  }

  async create(accountId: string, input: { relation: MemberRelation; name: string; birthdate: string }): Promise<Preregistration> {
    const now = this.now();
    const rep = await this.#d.households.representative(accountId, now);
    const younger = input.birthdate > rep.birthdate;
    if (input.birthdate > now.toISOString().slice(0, 10)) throw new FamilyError('impossible_relationship');
    if ((input.relation === 'child' && !younger) || (input.relation === 'parent' && (younger || input.birthdate === rep.birthdate))) {
      throw new FamilyError('impossible_relationship');
    }
    const identity = await this.#d.facts.identity(rep.personId);
    const municipalityCode = residentOf(identity?.claims.address?.formatted, await municipalityNames(this.#d.db));
    const matchKey = this.matchKey(input.name, input.birthdate);
    await this.purgeExpired();
    const id = randomUUID();
    return this.#d.db.transaction(async (trx) => {
      // The account row is the lock: the limit holds against two requests at once.
      await lockAccount(trx, accountId);
      const household = await ensureHousehold(trx, accountId, rep.personId);
      const pending = (await trx(TABLE).where({ household_id: household.id, status: 'pending' }).where('expires_at', '>', now).select('match_key')) as Array<{ match_key: string }>;
      if (pending.some((p) => p.match_key === matchKey)) throw new FamilyError('preregistration_exists');
      if (pending.length >= MAX_PENDING) throw new FamilyError('preregistration_limit');
      const [members] = (await trx('household_members').where({ household_id: household.id }).count({ n: '*' })) as Array<{ n: string | number }>;
      if (Number(members!.n) - 1 + pending.length >= MAX_MEMBERS) throw new FamilyError('household_full');
      const row: Row = {
        id,
        household_id: household.id,
        representative_account_id: accountId,
        relation: input.relation,
        facts_sealed: this.#d.box.seal(JSON.stringify({ name: input.name, birthdate: input.birthdate }), sealContext(id)),
        match_key: matchKey,
        municipality_code: municipalityCode ?? null,
        status: 'pending',
        created_at: now,
        expires_at: new Date(now.getTime() + PREREGISTRATION_TTL_MS),
        person_id: null,
      };
      await trx(TABLE).insert(row);
      await appendAudit(trx, { actorAccountId: accountId, action: 'household.member_preregistered', householdId: household.id, details: { preregistrationId: id, relation: input.relation } });
      return this.#view(row, now);
    });
  }

  /** The household's pre-registrations, newest first (cancelled ones left out). */
  async list(accountId: string): Promise<Preregistration[]> {
    const household = await householdOf(this.#d.db, accountId);
    if (!household) return [];
    const now = this.now();
    const rows = (await this.#d.db(TABLE).where({ household_id: household.id }).whereNot({ status: 'cancelled' }).orderBy('created_at', 'desc')) as Row[];
    return rows.map((r) => this.#view(r, now));
  }

  /** Cancelled by the representative of its household; another household's is not found. */
  async cancel(accountId: string, id: string): Promise<void> {
    await this.#d.db.transaction(async (trx) => {
      const row = (await trx(TABLE).where({ id, representative_account_id: accountId }).forUpdate().first()) as Row | undefined;
      if (!row) throw new FamilyError('preregistration_not_found');
      if (row.status !== 'pending') throw new FamilyError('preregistration_closed');
      await trx(TABLE).where({ id }).update({ status: 'cancelled', cancelled_at: this.now() });
      await appendAudit(trx, { actorAccountId: accountId, action: 'household.preregistration_cancelled', householdId: row.household_id, details: { preregistrationId: id } });
    });
  }

  /**
   * The one pending, unexpired pre-registration whose name and birthdate are the card's (ISO date).
   * None: preregistration_not_found; only expired ones: preregistration_expired; several households
   * naming the same person: preregistration_ambiguous (a person joins one household only).
   */
  async forCard(name: string, birthdate: string): Promise<Preregistration> {
    const now = this.now();
    const rows = (await this.#d.db(TABLE).where({ match_key: this.matchKey(name, birthdate), status: 'pending' })) as Row[];
    const live = rows.filter((r) => new Date(r.expires_at).getTime() > now.getTime());
    if (live.length > 1) throw new FamilyError('preregistration_ambiguous');
    if (live.length === 1) return this.#view(live[0]!, now);
    throw new FamilyError(rows.length ? 'preregistration_expired' : 'preregistration_not_found');
  }

  /**
   * The representative's name as their household shows it (identity's verified facts): the member
   * at the kiosk confirms whose household they join before anything is stored.
   */
  async representativeName(pre: Preregistration): Promise<string> {
    const rep = await this.#d.households.representative(pre.representativeAccountId, this.now());
    const name = (await this.#d.facts.identity(rep.personId))?.claims.name;
    // representative() has just read the same verified facts; a name missing here is a broken row.
    if (!name) throw new FamilyError('not_proofed');
    return name;
  }

  /** Marks it completed by the enrolled person, in the enrollment's transaction; refuses one no longer pending (a race). */
  async complete(trx: Knex.Transaction, id: string, personId: string): Promise<void> {
    const now = this.now();
    const updated = await trx(TABLE).where({ id, status: 'pending' }).where('expires_at', '>', now).update({ status: 'completed', completed_at: now, person_id: personId });
    if (updated !== 1) throw new FamilyError('preregistration_closed');
  }

  /** Back to pending after an enrollment was undone (kiosk-enrollment.ts), in its transaction. */
  async reopen(trx: Knex.Transaction, id: string): Promise<void> {
    await trx(TABLE).where({ id }).update({ status: 'pending', completed_at: null, person_id: null });
  }

  async pendingIn(municipalityCodes: readonly string[]): Promise<Preregistration[]> {
    return pendingPreregistrationsIn(this.#d.db, this.#d.box, municipalityCodes, this.now());
  }

  /** Deletes pre-registrations expired, or cancelled, more than a week ago. */
  async purgeExpired(): Promise<number> {
    const before = new Date(this.now().getTime() - KEEP_EXPIRED_MS);
    const expired = await this.#d.db(TABLE).where({ status: 'pending' }).where('expires_at', '<', before).delete();
    const cancelled = await this.#d.db(TABLE).where({ status: 'cancelled' }).where('cancelled_at', '<', before).delete();
    return expired + cancelled;
  }
}
