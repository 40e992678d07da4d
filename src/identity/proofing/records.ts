/**
 * The binding of a verified identity to an account's own person ('self'), and its history. One
 * person, one PASS ID: person_identities.person_key (a keyed hash of name, birthdate and sex) is
 * unique, and a person once bound keeps its key: only the same person may re-verify.
 */
import type { Knex } from 'knex';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import type { AnchorEnvironment, BasicFourClaims, JpkiEvidenceRecord } from '../../jpki/index.ts';
import { alreadyRegistered, ProofingForbiddenError } from './errors.ts';
import type { StoredVerification } from './ida.ts';
import { accountChanged } from '../account-cache.ts';
import { lockAccount } from '../accounts.ts';
import { selfPersonOf } from '../persons.ts';
import { currentProof, personBoundTo, personKeyOf, proofHistory, storeVerifiedPerson, type HistoryEntry, type ProofingMethod } from '../verified-persons.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { bindCard, type CardCertificate } from './card-links.ts';

export type { HistoryEntry } from '../verified-persons.ts';

export interface BindingInput {
  accountId: string;
  clientId: string;
  personKey: string;
  evidence: JpkiEvidenceRecord;
  claims: BasicFourClaims;
  substitution: { name: boolean; address: boolean };
  certificateNotAfter: Date;
  anchorEnvironment: AnchorEnvironment;
  /** The same card's user-authentication certificate, shown to be one card with the signature certificate. */
  card?: { cardKey: string; certificate: CardCertificate };
  /** How the person was proven; the card's signature certificate unless said (the Digital Agency's app: digital-agency/). */
  method?: ProofingMethod;
}

export interface BindingResult {
  personId: string;
  verificationId: string;
  /** false for the first proof of this person, true for a re-verification (moved, renewed). */
  reverified: boolean;
}

export interface CurrentIdentity extends StoredVerification {
  personId: string;
  method: ProofingMethod;
  anchorEnvironment: AnchorEnvironment;
  substitution: { name: boolean; address: boolean };
  boundAt: Date;
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

  async selfPersonId(accountId: string): Promise<string | undefined> {
    return selfPersonOf(this.#db, accountId);
  }

  /**
   * Read-only check before the resident is shown the facts: refuses what confirm would refuse,
   * so nothing is stored for a proof that cannot be bound.
   */
  async precheck(accountId: string, personKey: string): Promise<{ reverification: boolean }> {
    const personId = await this.selfPersonId(accountId);
    const own = personId ? await personKeyOf(this.#db, personId) : undefined;
    if (own) {
      if (own !== personKey) throw identityMismatch();
      return { reverification: true };
    }
    if (await personBoundTo(this.#db, personKey)) throw alreadyRegistered();
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
    if (!(await lockAccount(trx, input.accountId))) throw new ProofingForbiddenError('no_account', 'the account no longer exists');
    const selfId = await selfPersonOf(trx, input.accountId);
    const own = selfId ? await personKeyOf(trx, selfId) : undefined;
    if (own && own !== input.personKey) throw identityMismatch();
    if (!own && (await personBoundTo(trx, input.personKey))) throw alreadyRegistered();
    const { personId, verificationId } = await storeVerifiedPerson(trx, this.#box, selfId ? { personId: selfId, bound: Boolean(own) } : { create: 'self' }, input.personKey, {
      accountId: input.accountId,
      clientId: input.clientId,
      method: input.method ?? 'jpki_signature',
      evidence: input.evidence,
      claims: input.claims,
      substitution: input.substitution,
      certificateNotAfter: input.certificateNotAfter,
      anchorEnvironment: input.anchorEnvironment,
    });
    if (input.card) {
      await bindCard(trx, personId, input.card.cardKey, input.card.certificate, 'proofing');
      await appendAudit(trx, { actorAccountId: input.accountId, action: 'identity.card_linked', personId, details: { via: 'proofing', verificationId } });
    }
    return { personId, verificationId, reverified: Boolean(own) };
  }

  /** The person's current verified identity, or undefined when not proofed. */
  async currentForPerson(personId: string): Promise<CurrentIdentity | undefined> {
    const proof = await currentProof(this.#db, this.#box, personId);
    if (!proof) return undefined;
    return {
      personId,
      method: proof.method,
      verificationId: proof.verificationId,
      verifiedAt: proof.verifiedAt,
      anchorEnvironment: proof.anchorEnvironment,
      substitution: proof.substitution,
      boundAt: proof.boundAt,
      evidence: {
        issuer: proof.issuer,
        serialNumber: proof.serialNumber,
        verifiedAt: iso(proof.verifiedAt),
        revocation: { ...proof.revocation, checkedAt: iso(proof.revocation.checkedAt) },
      },
      claims: proof.claims,
    };
  }

  async currentForAccount(accountId: string): Promise<CurrentIdentity | undefined> {
    const personId = await this.selfPersonId(accountId);
    return personId ? this.currentForPerson(personId) : undefined;
  }

  /** Every proof of the person, newest first; the derived claims stay sealed. */
  async history(personId: string): Promise<HistoryEntry[]> {
    return proofHistory(this.#db, personId);
  }
}

function identityMismatch(): ProofingForbiddenError {
  return new ProofingForbiddenError('identity_mismatch', "this PASS ID is bound to another person; another person's card cannot be registered");
}
