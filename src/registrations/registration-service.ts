/**
 * Facility registrations: a person × facility with the claims consented, 利用中 (active) or
 * withdrawn, and its history. The account acts for its own person and, as a household's
 * representative, for its members. Registering checks the choice against the facility's claim
 * policy (every required claim, nothing outside the policy) and that the person is proofed;
 * withdrawing takes effect at once (effects.ts). Both are audited in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';
import type { FacilityService, Facility } from '../facilities/facility-service.ts';
import type { ClaimPolicy } from '../facilities/claim-policy.ts';
import type { ClaimsEngine } from '../claims/engine.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { canActFor, managedPersons } from '../households/directory.ts';
import { FamilyError } from '../households/errors.ts';
import { ownAccountOf, selfPersonOf } from '../identity/persons.ts';
import { isVerified } from '../identity/verified-persons.ts';
import type { RegistrationEffects, WithdrawalOutcome } from './effects.ts';
import { insertRegistration } from './registration-store.ts';
import { activeRegistrationClaims } from './active-claims.ts';

export type RegistrationStatus = 'active' | 'withdrawn';

export interface Registration {
  id: string;
  personId: string;
  facilityId: string;
  status: RegistrationStatus;
  claims: string[];
  createdAt: Date;
  withdrawnAt: Date | undefined;
  history: Array<{ event: string; claims: string[]; at: Date }>;
}

interface Row {
  id: string;
  person_id: string;
  facility_id: string;
  status: RegistrationStatus;
  claims: string[] | string;
  created_at: Date;
  withdrawn_at: Date | null;
}

const UNIQUE_VIOLATION = '23505';

function list(value: string[] | string): string[] {
  return typeof value === 'string' ? (JSON.parse(value) as string[]) : value;
}

export interface ReviewPerson {
  personId: string;
  relation: string;
  /** unit → the exact value the facility would receive (undefined: not available for this person). */
  values: Record<string, unknown>;
}

export interface RegistrationDeps {
  db: Database;
  facilities: FacilityService;
  engine: ClaimsEngine;
  effects: RegistrationEffects;
}

export class RegistrationService {
  readonly #d: RegistrationDeps;

  constructor(deps: RegistrationDeps) {
    this.#d = deps;
  }

  async facilityWithPolicy(facilityId: string): Promise<{ facility: Facility; policy: ClaimPolicy }> {
    const facility = await this.#d.facilities.find(facilityId);
    if (!facility) throw new FamilyError('facility_not_found');
    const policy = await this.#d.facilities.policies.find(facilityId);
    if (!policy) throw new FamilyError('no_policy');
    return { facility, policy };
  }

  /** Validates a choice of claims against the policy; returns the units in catalog order. */
  #checkChoice(policy: ClaimPolicy, chosen: readonly string[]): string[] {
    const set = new Set(chosen);
    if (policy.required.some((c) => !set.has(c))) throw new FamilyError('missing_required_claims', { required: policy.required });
    if ([...set].some((c) => !policy.required.includes(c) && !policy.optional.includes(c))) throw new FamilyError('claim_not_in_policy');
    return [...policy.required, ...policy.optional].filter((c) => set.has(c));
  }

  /** What the resident reviews before consenting: for each person, each chosen fact with its value. */
  async review(accountId: string, facilityId: string, personIds: readonly string[], chosen: readonly string[]): Promise<{ facility: Facility; policy: ClaimPolicy; units: string[]; persons: ReviewPerson[] }> {
    const { facility, policy } = await this.facilityWithPolicy(facilityId);
    const units = this.#checkChoice(policy, chosen);
    const persons: ReviewPerson[] = [];
    for (const personId of personIds) {
      const managed = await canActFor(this.#d.db, accountId, personId);
      if (!managed) throw new FamilyError('not_member');
      persons.push({ personId, relation: managed.relation, values: await this.#d.engine.preview(personId, units) });
    }
    return { facility, policy, units, persons };
  }

  async register(accountId: string, input: { facilityId: string; personId: string; claims: readonly string[] }): Promise<Registration> {
    const { policy } = await this.facilityWithPolicy(input.facilityId);
    const units = this.#checkChoice(policy, input.claims);
    const managed = await canActFor(this.#d.db, accountId, input.personId);
    if (!managed) throw new FamilyError('not_member');
    const needsIdentity = units.some((u) => u !== 'email' && u !== 'phone_number');
    if (needsIdentity && !(await isVerified(this.#d.db, input.personId))) {
      throw new FamilyError('identity_required');
    }
    const id = randomUUID();
    try {
      await this.#d.db.transaction(async (trx) => {
        await insertRegistration(trx, { id, personId: input.personId, facilityId: input.facilityId, claims: units, actorAccountId: accountId });
        await appendAudit(trx, {
          actorAccountId: accountId,
          action: 'registration.created',
          householdId: managed.householdId,
          personId: input.personId,
          facilityId: input.facilityId,
          registrationId: id,
          details: { claims: units },
        });
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new FamilyError('already_registered');
      throw error;
    }
    await this.#d.effects.joinGallery(input.facilityId, input.personId);
    return (await this.#find(id))!;
  }

  /**
   * Consent given on the login screen of a facility's relying party: the account's own person is
   * registered at the facility with `units`, or — already registered — the registration gains the
   * units it lacks (history event `extended`). One registration per person and facility, so the
   * facility's kiosks and systems all follow the same consent.
   */
  async consentAtLogin(accountId: string, facilityId: string, units: readonly string[]): Promise<Registration> {
    const personId = await selfPersonOf(this.#d.db, accountId);
    if (!personId) throw new FamilyError('identity_required');
    const existing = await this.#active(personId, facilityId);
    if (!existing) {
      try {
        return await this.register(accountId, { facilityId, personId, claims: units });
      } catch (error) {
        // Two logins consenting at once: the other one registered first; extend that one.
        if (!(error instanceof FamilyError) || error.reason !== 'already_registered') throw error;
      }
    }
    return this.#extend(accountId, personId, facilityId, units);
  }

  async #active(personId: string, facilityId: string): Promise<Registration | undefined> {
    const row = (await this.#d.db('registrations').where({ person_id: personId, facility_id: facilityId, status: 'active' }).first('id')) as { id: string } | undefined;
    return row ? this.#find(row.id) : undefined;
  }

  async #extend(accountId: string, personId: string, facilityId: string, units: readonly string[]): Promise<Registration> {
    const { policy } = await this.facilityWithPolicy(facilityId);
    const managed = await canActFor(this.#d.db, accountId, personId);
    if (!managed) throw new FamilyError('not_member');
    const id = await this.#d.db.transaction(async (trx) => {
      const row = (await trx('registrations').where({ person_id: personId, facility_id: facilityId, status: 'active' }).forUpdate().first('id', 'claims')) as
        | { id: string; claims: string[] | string }
        | undefined;
      if (!row) throw new FamilyError('registration_not_found');
      const current = list(row.claims);
      const added = units.filter((u) => !current.includes(u));
      if (added.length === 0) return row.id;
      // Units a changed policy no longer lists drop out; ones it now requires come in (the screen showed them).
      const allowed = new Set([...policy.required, ...policy.optional]);
      const merged = this.#checkChoice(policy, [...new Set([...current, ...added, ...policy.required])].filter((u) => allowed.has(u)));
      await trx('registrations').where({ id: row.id }).update({ claims: JSON.stringify(merged) });
      await trx('registration_events').insert({ registration_id: row.id, event: 'extended', claims: JSON.stringify(merged), actor_account_id: accountId });
      await appendAudit(trx, {
        actorAccountId: accountId,
        action: 'registration.extended',
        householdId: managed.householdId,
        personId,
        facilityId,
        registrationId: row.id,
        details: { claims: merged, added },
      });
      return row.id;
    });
    return (await this.#find(id))!;
  }

  /** Withdraws consent; the facility's access ends now. Only the person's own account or their representative. */
  async withdraw(accountId: string, registrationId: string): Promise<Registration & { outcome: WithdrawalOutcome }> {
    const existing = await this.#find(registrationId);
    const managed = existing ? await canActFor(this.#d.db, accountId, existing.personId) : undefined;
    if (!existing || !managed) throw new FamilyError('registration_not_found');
    const changed = await this.#d.db.transaction(async (trx) => {
      const n = await trx('registrations')
        .where({ id: registrationId, status: 'active' })
        .update({ status: 'withdrawn', withdrawn_at: new Date(), withdrawn_by_account_id: accountId });
      if (n === 0) return false;
      await trx('registration_events').insert({ registration_id: registrationId, event: 'withdrawn', claims: JSON.stringify(existing.claims), actor_account_id: accountId });
      await appendAudit(trx, {
        actorAccountId: accountId,
        action: 'registration.withdrawn',
        householdId: managed.householdId,
        personId: existing.personId,
        facilityId: existing.facilityId,
        registrationId,
        details: { claims: existing.claims },
      });
      return true;
    });
    if (!changed) throw new FamilyError('already_withdrawn');
    await this.#d.effects.leaveGallery(existing.facilityId, existing.personId);
    const owner = await ownAccountOf(this.#d.db, existing.personId);
    const outcome = owner ? await this.#d.effects.revokeAccess(existing.facilityId, owner) : { grantsRevoked: 0, logout: {} };
    return { ...(await this.#find(registrationId))!, outcome };
  }

  /** Registrations of every person the account acts for, newest first, with their history. */
  async listFor(accountId: string): Promise<Array<Registration & { relation: string }>> {
    const persons = await managedPersons(this.#d.db, accountId);
    if (persons.length === 0) return [];
    const rows = (await this.#d.db('registrations').whereIn('person_id', persons.map((p) => p.personId)).orderBy('created_at', 'desc')) as Row[];
    const history = await this.#history(rows.map((r) => r.id));
    return rows.map((r) => ({ ...this.#toRegistration(r, history.get(r.id) ?? []), relation: persons.find((p) => p.personId === r.person_id)!.relation }));
  }

  /** The consented units of the person's active registration at the facility, or undefined. */
  async activeClaims(personId: string, facilityId: string, db: Knex = this.#d.db): Promise<string[] | undefined> {
    return activeRegistrationClaims(db, personId, facilityId);
  }

  async #find(id: string): Promise<Registration | undefined> {
    const row = (await this.#d.db('registrations').where({ id }).first()) as Row | undefined;
    if (!row) return undefined;
    return this.#toRegistration(row, (await this.#history([id])).get(id) ?? []);
  }

  async #history(ids: string[]): Promise<Map<string, Registration['history']>> {
    const map = new Map<string, Registration['history']>();
    if (ids.length === 0) return map;
    const rows = (await this.#d.db('registration_events').whereIn('registration_id', ids).orderBy('id')) as Array<{
      registration_id: string;
      event: string;
      claims: string[] | string;
      created_at: Date;
    }>;
    for (const r of rows) map.set(r.registration_id, [...(map.get(r.registration_id) ?? []), { event: r.event, claims: list(r.claims), at: new Date(r.created_at) }]);
    return map;
  }

  #toRegistration(row: Row, history: Registration['history']): Registration {
    return {
      id: row.id,
      personId: row.person_id,
      facilityId: row.facility_id,
      status: row.status,
      claims: list(row.claims),
      createdAt: new Date(row.created_at),
      withdrawnAt: row.withdrawn_at ? new Date(row.withdrawn_at) : undefined,
      history,
    };
  }
}

