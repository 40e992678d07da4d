/**
 * The facts the claims engine works from, read per person: the current verified identity (JPKI
 * signature certificate, or the text-input-support AP for children), the account's contact claims
 * for an account holder's own person, and the household a member belongs to (for `guardian`).
 */
import type { Database } from '../db/database.ts';
import type { SecretBox } from '../core/secret-box.ts';
import type { BasicFourClaims } from '../jpki/index.ts';

export type ProofingMethod = 'jpki_signature' | 'jpki_text_ap';

export interface VerifiedIdentity {
  verificationId: string;
  method: ProofingMethod;
  claims: BasicFourClaims;
  verifiedAt: Date;
  issuer: string;
  serialNumber: string;
  anchorEnvironment: string;
}

export interface AccountContact {
  email: string;
  emailVerified: boolean;
  phoneE164: string | null;
  phoneVerified: boolean;
}

export interface PersonFacts {
  personId: string;
  /** The account whose own person this is; undefined for a household member without an account. */
  accountId: string | undefined;
  identity: VerifiedIdentity | undefined;
  contact: AccountContact | undefined;
  household: { id: string; relation: string; representativeAccountId: string; representativePersonId: string } | undefined;
}

interface IdentityRow {
  id: string;
  method: string;
  claims_sealed: string;
  verified_at: Date;
  issuer: string;
  serial_number: string;
  anchor_environment: string;
}

export class FactsReader {
  readonly #db: Database;
  readonly #box: SecretBox;

  constructor(db: Database, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  async selfPersonId(accountId: string): Promise<string | undefined> {
    const row = (await this.#db('persons').where({ account_id: accountId, relation: 'self' }).orderBy('created_at').first('id')) as { id: string } | undefined;
    return row?.id;
  }

  async identity(personId: string): Promise<VerifiedIdentity | undefined> {
    const row = (await this.#db('person_identities as pi')
      .join('identity_verifications as v', 'v.id', 'pi.current_verification_id')
      .where('pi.person_id', personId)
      .first('v.id', 'v.method', 'v.claims_sealed', 'v.verified_at', 'v.issuer', 'v.serial_number', 'v.anchor_environment')) as IdentityRow | undefined;
    if (!row) return undefined;
    return {
      verificationId: row.id,
      method: row.method === 'jpki_text_ap' ? 'jpki_text_ap' : 'jpki_signature',
      claims: JSON.parse(this.#box.openText(row.claims_sealed, `identity-verification:${row.id}`)) as BasicFourClaims,
      verifiedAt: new Date(row.verified_at),
      issuer: row.issuer,
      serialNumber: row.serial_number,
      anchorEnvironment: row.anchor_environment,
    };
  }

  async contact(accountId: string): Promise<AccountContact | undefined> {
    const row = (await this.#db('accounts').where({ id: accountId }).first('email', 'phone_e164', 'email_verified_at', 'phone_verified_at')) as
      | { email: string; phone_e164: string | null; email_verified_at: Date | null; phone_verified_at: Date | null }
      | undefined;
    if (!row) return undefined;
    return { email: row.email, emailVerified: row.email_verified_at !== null, phoneE164: row.phone_e164, phoneVerified: row.phone_verified_at !== null };
  }

  async person(personId: string): Promise<PersonFacts | undefined> {
    const person = (await this.#db('persons').where({ id: personId }).first('id', 'account_id', 'relation')) as
      | { id: string; account_id: string | null; relation: string }
      | undefined;
    if (!person) return undefined;
    const accountId = person.relation === 'self' && person.account_id ? person.account_id : undefined;
    const [identity, contact, household] = await Promise.all([
      this.identity(personId),
      accountId ? this.contact(accountId) : Promise.resolve(undefined),
      this.#db('household_members as m')
        .join('households as h', 'h.id', 'm.household_id')
        .where('m.person_id', personId)
        .first('h.id', 'm.relation', 'h.representative_account_id', 'h.representative_person_id') as Promise<
        { id: string; relation: string; representative_account_id: string; representative_person_id: string } | undefined
      >,
    ]);
    return {
      personId,
      accountId,
      identity,
      contact,
      household: household
        ? {
            id: household.id,
            relation: household.relation,
            representativeAccountId: household.representative_account_id,
            representativePersonId: household.representative_person_id,
          }
        : undefined,
    };
  }
}
