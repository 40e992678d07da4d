/**
 * The facts the claims engine works from, read per person: the current verified identity (JPKI
 * signature certificate, or the text-input-support AP for children), the account's contact claims
 * for an account holder's own person, and the household a member belongs to (for `guardian`).
 */
import type { Database } from '../db/database.ts';
import type { SecretBox } from '../core/secret-box.ts';
import { AccountService } from '../identity/accounts.ts';
import { personRecord, selfPersonOf } from '../identity/persons.ts';
import { currentProof, type StoredProof } from '../identity/verified-persons.ts';
import { membershipOf } from '../households/directory.ts';

export type { ProofingMethod } from '../identity/verified-persons.ts';

/** What the claims engine reads of a person's current proof. */
export type VerifiedIdentity = Pick<StoredProof, 'verificationId' | 'method' | 'claims' | 'verifiedAt' | 'issuer' | 'serialNumber'> & { anchorEnvironment: string };

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

export class FactsReader {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #accounts: AccountService;

  constructor(db: Database, box: SecretBox) {
    this.#db = db;
    this.#box = box;
    this.#accounts = new AccountService(db);
  }

  async selfPersonId(accountId: string): Promise<string | undefined> {
    return selfPersonOf(this.#db, accountId);
  }

  async identity(personId: string): Promise<VerifiedIdentity | undefined> {
    const proof = await currentProof(this.#db, this.#box, personId);
    if (!proof) return undefined;
    return {
      verificationId: proof.verificationId,
      method: proof.method,
      claims: proof.claims,
      verifiedAt: proof.verifiedAt,
      issuer: proof.issuer,
      serialNumber: proof.serialNumber,
      anchorEnvironment: proof.anchorEnvironment,
    };
  }

  async contact(accountId: string): Promise<AccountContact | undefined> {
    const account = await this.#accounts.findById(accountId);
    if (!account) return undefined;
    return { email: account.email, emailVerified: account.emailVerified, phoneE164: account.phoneE164, phoneVerified: account.phoneVerified };
  }

  async person(personId: string): Promise<PersonFacts | undefined> {
    const person = await personRecord(this.#db, personId);
    if (!person) return undefined;
    const accountId = person.relation === 'self' && person.accountId ? person.accountId : undefined;
    const [identity, contact, household] = await Promise.all([
      this.identity(personId),
      accountId ? this.contact(accountId) : Promise.resolve(undefined),
      membershipOf(this.#db, personId),
    ]);
    return { personId, accountId, identity, contact, household };
  }
}
