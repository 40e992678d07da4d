/**
 * The binding of a verified identity to an account's own person ('self'), and its history. One
 * person, one PASS ID: person_identities.person_key (a keyed hash of name, birthdate and sex) is
 * unique, and a person once bound keeps its key: only the same person may re-verify.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import type { AnchorEnvironment, BasicFourClaims, JpkiEvidenceRecord } from '../../jpki/index.ts';
import { alreadyRegistered, ProofingForbiddenError } from './errors.ts';
import type { StoredVerification } from './ida.ts';
import { accountChanged } from '../account-cache.ts';

export interface BindingInput {
  accountId: string;
  clientId: string;
  personKey: string;
  evidence: JpkiEvidenceRecord;
  claims: BasicFourClaims;
  substitution: { name: boolean; address: boolean };
  certificateNotAfter: Date;
  anchorEnvironment: AnchorEnvironment;
}

export interface BindingResult {
  personId: string;
  verificationId: string;
  /** false for the first proof of this person, true for a re-verification (moved, renewed). */
  reverified: boolean;
}

export interface HistoryEntry {
  id: string;
  verifiedAt: Date;
  issuer: string;
  serialNumber: string;
  revocation: { status: string; method: string; checkedAt: Date };
  current: boolean;
}

export interface CurrentIdentity extends StoredVerification {
  personId: string;
  anchorEnvironment: AnchorEnvironment;
  substitution: { name: boolean; address: boolean };
  boundAt: Date;
}

interface VerificationRow {
  id: string;
  person_id: string;
  issuer: string;
  serial_number: string;
  anchor_environment: AnchorEnvironment;
  verified_at: Date;
  revocation_status: 'good' | 'revoked';
  revocation_method: 'crl' | 'ocsp';
  revocation_checked_at: Date;
  revocation_source: string;
  name_substituted: boolean;
  address_substituted: boolean;
  claims_sealed: string;
}

const UNIQUE_VIOLATION = '23505';

function iso(d: Date): string {
  return `${new Date(d).toISOString().slice(0, 19)}Z`;
}

export class IdentityRecords {
  readonly #db: Database;
  readonly #box: SecretBox;

  constructor(db: Database, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async selfPersonId(accountId: string, db: Knex = this.#db): Promise<string | undefined> {
    const row = (await db('persons').where({ account_id: accountId, relation: 'self' }).orderBy('created_at').first('id')) as { id: string } | undefined;
    return row?.id;
  }

  /**
   * Read-only check before the resident is shown the facts: refuses what confirm would refuse,
   * so nothing is stored for a proof that cannot be bound.
   */
  async precheck(accountId: string, personKey: string): Promise<{ reverification: boolean }> {
    const personId = await this.selfPersonId(accountId);
    const own = personId ? await this.#db('person_identities').where({ person_id: personId }).first('person_key') : undefined;
    if (own) {
      if ((own as { person_key: string }).person_key !== personKey) throw identityMismatch();
      return { reverification: true };
    }
    if (await this.#db('person_identities').where({ person_key: personKey }).first('person_id')) throw alreadyRegistered();
    return { reverification: false };
  }

  async bind(input: BindingInput): Promise<BindingResult> {
    try {
      const bound = await this.#db.transaction((trx) => this.#bind(trx, input));
      // A first proof creates the account's own person, which token and userinfo answers name.
      accountChanged(this.#db, input.accountId);
      return bound;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw alreadyRegistered();
      throw error;
    }
  }

  async #bind(trx: Knex.Transaction, input: BindingInput): Promise<BindingResult> {
    // The account row is the lock: concurrent confirmations of one account run one after another.
    const account = await trx('accounts').where({ id: input.accountId }).forUpdate().first('id');
    if (!account) throw new ProofingForbiddenError('no_account', 'the account no longer exists');
    let personId = await this.selfPersonId(input.accountId, trx);
    if (!personId) {
      personId = randomUUID();
      await trx('persons').insert({ id: personId, account_id: input.accountId, relation: 'self' });
    }
    const own = (await trx('person_identities').where({ person_id: personId }).first('person_key')) as { person_key: string } | undefined;
    if (own && own.person_key !== input.personKey) throw identityMismatch();
    if (!own && (await trx('person_identities').where({ person_key: input.personKey }).first('person_id'))) throw alreadyRegistered();
    const verificationId = randomUUID();
    await trx('identity_verifications').insert({
      id: verificationId,
      person_id: personId,
      account_id: input.accountId,
      client_id: input.clientId,
      issuer: input.evidence.issuer,
      serial_number: input.evidence.serialNumber,
      certificate_not_after: input.certificateNotAfter,
      anchor_environment: input.anchorEnvironment,
      verified_at: new Date(input.evidence.verifiedAt),
      revocation_status: input.evidence.revocation.status,
      revocation_method: input.evidence.revocation.method,
      revocation_checked_at: new Date(input.evidence.revocation.checkedAt),
      revocation_source: input.evidence.revocation.source,
      name_substituted: input.substitution.name,
      address_substituted: input.substitution.address,
      claims_sealed: this.#box.seal(JSON.stringify(input.claims), `identity-verification:${verificationId}`),
    });
    if (own) {
      await trx('person_identities').where({ person_id: personId }).update({ current_verification_id: verificationId, updated_at: new Date() });
    } else {
      await trx('person_identities').insert({ person_id: personId, person_key: input.personKey, current_verification_id: verificationId });
    }
    return { personId, verificationId, reverified: Boolean(own) };
  }

  /** The person's current verified identity, or undefined when not proofed. */
  async currentForPerson(personId: string): Promise<CurrentIdentity | undefined> {
    const row = (await this.#db('person_identities as pi')
      .join('identity_verifications as v', 'v.id', 'pi.current_verification_id')
      .where('pi.person_id', personId)
      .first('v.*', 'pi.bound_at')) as (VerificationRow & { bound_at: Date }) | undefined;
    if (!row) return undefined;
    return {
      personId,
      verificationId: row.id,
      verifiedAt: new Date(row.verified_at),
      anchorEnvironment: row.anchor_environment,
      substitution: { name: row.name_substituted, address: row.address_substituted },
      boundAt: new Date(row.bound_at),
      evidence: {
        issuer: row.issuer,
        serialNumber: row.serial_number,
        verifiedAt: iso(row.verified_at),
        revocation: {
          status: row.revocation_status,
          method: row.revocation_method,
          checkedAt: iso(row.revocation_checked_at),
          source: row.revocation_source,
        },
      },
      claims: JSON.parse(this.#box.openText(row.claims_sealed, `identity-verification:${row.id}`)) as BasicFourClaims,
    };
  }

  async currentForAccount(accountId: string): Promise<CurrentIdentity | undefined> {
    const personId = await this.selfPersonId(accountId);
    return personId ? this.currentForPerson(personId) : undefined;
  }

  /** Every proof of the person, newest first; the derived claims stay sealed. */
  async history(personId: string): Promise<HistoryEntry[]> {
    const current = (await this.#db('person_identities').where({ person_id: personId }).first('current_verification_id')) as
      | { current_verification_id: string }
      | undefined;
    const rows = (await this.#db('identity_verifications').where({ person_id: personId }).orderBy('verified_at', 'desc')) as VerificationRow[];
    return rows.map((r) => ({
      id: r.id,
      verifiedAt: new Date(r.verified_at),
      issuer: r.issuer,
      serialNumber: r.serial_number,
      revocation: { status: r.revocation_status, method: r.revocation_method, checkedAt: new Date(r.revocation_checked_at) },
      current: r.id === current?.current_verification_id,
    }));
  }
}

function identityMismatch(): ProofingForbiddenError {
  return new ProofingForbiddenError('identity_mismatch', "this PASS ID is bound to another person; another person's card cannot be registered");
}
