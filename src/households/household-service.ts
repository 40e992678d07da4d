/**
 * Households: a representative (an adult account holder proofed with the signature certificate)
 * and the members they manage — children and elderly parents, each a person with their own
 * verified basic four and face. Rules, each refused with its own reason and nothing changed:
 *   - a person belongs to at most one household (recognised by the keyed hash of their facts);
 *   - a person with a PASS ID of their own is not taken as a member;
 *   - a child is younger and a parent older than the representative;
 *   - children under 15 are proofed with the text-input-support AP, everyone else with the
 *     signature certificate;
 *   - only the representative removes a member.
 * Every change is audited in its own transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';
import type { SecretBox } from '../core/secret-box.ts';
import type { BasicFourClaims, JpkiEvidenceRecord } from '../jpki/index.ts';
import { ageAt } from '../claims/derive.ts';
import type { FactsReader } from '../claims/facts.ts';
import { auditEntriesAbout, type AuditRecord } from '../audit/audit-log.ts';
import { lockAccount } from '../identity/accounts.ts';
import { deletePerson, personRecord, selfPersonOf } from '../identity/persons.ts';
import { personBoundTo, personKeyOf, storeVerifiedPerson } from '../identity/verified-persons.ts';
import { FaceStore } from '../face/service/template-store.ts';
import { activeFacilitiesOf } from '../registrations/registration-store.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { householdOf } from './directory.ts';
import { FamilyError } from './errors.ts';

export type MemberRelation = 'child' | 'parent';
/**
 * jpki_kiosk: at a municipal kiosk, the card's text-input-support AP and user-authentication
 * certificate with the live face matched to the card photo (kiosk-enrollment.ts), for a member the
 * representative pre-registered; any age. Identity stores it as a text-AP proof (docs/card.md).
 */
export type MemberMethod = 'jpki_signature' | 'jpki_text_ap' | 'jpki_kiosk';
export const MEMBER_RELATIONS: readonly MemberRelation[] = ['child', 'parent'];
export const TEXT_AP_MAX_AGE = 14;
export const ADULT_AGE = 18;
export const MAX_MEMBERS = 10;

export interface NewMember {
  relation: MemberRelation;
  method: MemberMethod;
  personKey: string;
  claims: BasicFourClaims;
  evidence: JpkiEvidenceRecord;
  certificateNotAfter: Date;
  anchorEnvironment: string;
  clientId: string;
}

export interface MemberView {
  personId: string;
  relation: string;
  name: string | undefined;
  birthdate: string | undefined;
  age: number | undefined;
  method: string | undefined;
  /** high: signature certificate; low: text-input-support AP. */
  assurance: 'high' | 'low' | undefined;
  faceEnrolled: boolean;
}

export interface HouseholdView {
  householdId: string | undefined;
  representative: boolean;
  members: MemberView[];
}

const UNIQUE_VIOLATION = '23505';

/** The representative's household, made on first need (a first member, a first pre-registration); call under the account lock. */
export async function ensureHousehold(trx: Knex.Transaction, accountId: string, repPersonId: string): Promise<{ id: string; representativePersonId: string }> {
  const found = await householdOf(trx, accountId);
  if (found) return found;
  const household = { id: randomUUID(), representativePersonId: repPersonId };
  await trx('households').insert({ id: household.id, representative_account_id: accountId, representative_person_id: repPersonId });
  await trx('household_members').insert({ person_id: repPersonId, household_id: household.id, relation: 'representative', added_by_account_id: accountId });
  await appendAudit(trx, { actorAccountId: accountId, action: 'household.created', householdId: household.id, personId: repPersonId });
  return household;
}

export class HouseholdService {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #facts: FactsReader;
  readonly #faces: FaceStore;

  constructor(db: Database, box: SecretBox, facts: FactsReader) {
    this.#db = db;
    this.#box = box;
    this.#facts = facts;
    this.#faces = new FaceStore(db);
  }

  /** The representative's own person and verified birthdate; refuses accounts that cannot represent. */
  async representative(accountId: string, now = new Date()): Promise<{ personId: string; birthdate: string }> {
    const personId = await selfPersonOf(this.#db, accountId);
    const identity = personId ? await this.#facts.identity(personId) : undefined;
    if (!personId || !identity || identity.method !== 'jpki_signature') throw new FamilyError('not_proofed');
    const age = ageAt(identity.claims.birthdate, now);
    if (age === undefined || age < ADULT_AGE) throw new FamilyError('representative_minor');
    return { personId, birthdate: identity.claims.birthdate };
  }

  /** Every rule a new member must meet, read-only: run before the facts are shown and again when adding. */
  async checkNewMember(accountId: string, member: Pick<NewMember, 'relation' | 'method' | 'personKey' | 'claims'>, db: Knex = this.#db, now = new Date()): Promise<{ personId: string }> {
    const rep = await this.representative(accountId, now);
    if (!MEMBER_RELATIONS.includes(member.relation)) throw new FamilyError('invalid_request');
    const age = ageAt(member.claims.birthdate, now);
    if (age === undefined) throw new FamilyError('impossible_relationship');
    if (member.method !== 'jpki_kiosk' && (age <= TEXT_AP_MAX_AGE) !== (member.method === 'jpki_text_ap')) throw new FamilyError('wrong_method');
    if ((await personKeyOf(db, rep.personId)) === member.personKey) throw new FamilyError('is_self');
    const bound = await personBoundTo(db, member.personKey);
    if (bound) {
      const person = await personRecord(db, bound);
      throw new FamilyError(person?.relation === 'self' ? 'has_own_account' : 'already_in_household');
    }
    // Dates as ISO strings compare in calendar order.
    const younger = member.claims.birthdate > rep.birthdate;
    if ((member.relation === 'child' && !younger) || (member.relation === 'parent' && (younger || member.claims.birthdate === rep.birthdate))) {
      throw new FamilyError('impossible_relationship');
    }
    const household = await householdOf(db, accountId);
    if (household) {
      const [row] = (await db('household_members').where({ household_id: household.id }).count({ n: '*' })) as Array<{ n: string | number }>;
      if (Number(row!.n) - 1 >= MAX_MEMBERS) throw new FamilyError('household_full');
    }
    return { personId: rep.personId };
  }

  /**
   * Adds a verified member (creating the household on the first one), all in one transaction;
   * `also` runs in it once the member exists (the kiosk's card link and pre-registration).
   */
  async addMember(
    accountId: string,
    member: NewMember,
    also?: (trx: Knex.Transaction, added: { householdId: string; personId: string }) => Promise<void>,
  ): Promise<{ householdId: string; personId: string }> {
    const { personId: repPersonId } = await this.checkNewMember(accountId, member);
    try {
      return await this.#db.transaction(async (trx) => {
        // The account row is the lock: two additions for one household run one after another.
        // (Only trx inside: the embedded database has one connection.) Uniqueness races end in
        // the unique indexes on person_identities.person_key and household_members.person_id.
        await lockAccount(trx, accountId);
        const household = await ensureHousehold(trx, accountId, repPersonId);
        const { personId } = await storeVerifiedPerson(trx, this.#box, { create: member.relation }, member.personKey, {
          accountId,
          clientId: member.clientId,
          // The kiosk's facts are the text AP's: identity knows it as such (its assurance, its trust framework).
          method: member.method === 'jpki_kiosk' ? 'jpki_text_ap' : member.method,
          evidence: member.evidence,
          claims: member.claims,
          certificateNotAfter: member.certificateNotAfter,
          anchorEnvironment: member.anchorEnvironment,
        });
        await trx('household_members').insert({ person_id: personId, household_id: household.id, relation: member.relation, added_by_account_id: accountId });
        await appendAudit(trx, {
          actorAccountId: accountId,
          action: 'household.member_added',
          householdId: household.id,
          personId,
          details: { relation: member.relation, method: member.method },
        });
        await also?.(trx, { householdId: household.id, personId });
        return { householdId: household.id, personId };
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new FamilyError('already_in_household');
      throw error;
    }
  }

  /**
   * Removes a member: only their household's representative may. The person goes with their
   * facts, face and registrations (nobody manages them any more); the audit entry stays.
   */
  async removeMember(accountId: string, personId: string): Promise<{ facilities: string[] }> {
    return this.#db.transaction(async (trx) => {
      const membership = (await trx('household_members as m')
        .join('households as h', 'h.id', 'm.household_id')
        .where('m.person_id', personId)
        .forUpdate()
        .first('m.relation', 'h.id', 'h.representative_account_id')) as { relation: string; id: string; representative_account_id: string } | undefined;
      if (!membership) throw new FamilyError('not_member');
      if (membership.representative_account_id !== accountId) throw new FamilyError('not_representative');
      if (membership.relation === 'representative') throw new FamilyError('cannot_remove_representative');
      const facilities = await activeFacilitiesOf(trx, personId);
      await appendAudit(trx, {
        actorAccountId: accountId,
        action: 'household.member_removed',
        householdId: membership.id,
        personId,
        details: { relation: membership.relation, registrationsEnded: facilities },
      });
      await deletePerson(trx, personId);
      return { facilities };
    });
  }

  async view(accountId: string, now = new Date()): Promise<HouseholdView> {
    const household = await householdOf(this.#db, accountId);
    const self = await selfPersonOf(this.#db, accountId);
    const rows = household
      ? ((await this.#db('household_members').where({ household_id: household.id }).orderBy('created_at').select('person_id', 'relation')) as Array<{ person_id: string; relation: string }>)
      : self
        ? [{ person_id: self, relation: 'representative' }]
        : [];
    const enrolled = await this.#faces.enrolledAmong(rows.map((r) => r.person_id));
    const members: MemberView[] = [];
    for (const row of rows) {
      const identity = await this.#facts.identity(row.person_id);
      members.push({
        personId: row.person_id,
        relation: row.relation,
        name: identity?.claims.name,
        birthdate: identity?.claims.birthdate,
        age: ageAt(identity?.claims.birthdate, now),
        method: identity?.method,
        assurance: identity ? (identity.method === 'jpki_signature' ? 'high' : 'low') : undefined,
        faceEnrolled: enrolled.has(row.person_id),
      });
    }
    return { householdId: household?.id, representative: Boolean(household), members };
  }

  async auditTrail(accountId: string): Promise<AuditRecord[]> {
    const household = await householdOf(this.#db, accountId);
    const self = await selfPersonOf(this.#db, accountId);
    return auditEntriesAbout(this.#db, { ...(household ? { householdId: household.id } : {}), ...(self ? { personIds: [self] } : {}) });
  }

  /** A member of the account's household (for face enrollment and the like), or not_member. */
  async member(accountId: string, personId: string): Promise<{ relation: string }> {
    const household = await householdOf(this.#db, accountId);
    const row = household ? ((await this.#db('household_members').where({ household_id: household.id, person_id: personId }).first('relation')) as { relation: string } | undefined) : undefined;
    if (!row || row.relation === 'representative') throw new FamilyError('not_member');
    return row;
  }
}
