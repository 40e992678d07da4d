/**
 * A household member who comes of age moves to an account of their own (issue #6). The member
 * signs up, then proves themselves with their own signature certificate (15 and over):
 *   1. challenge: random, single use, bound to the new account and the client;
 *   2. verify: the card's signature and certificate (src/jpki); the member is the household member
 *      with the same person key (name, birthdate, sex), and the certificate's basic four must be
 *      exactly the member's recorded ones — address included — or the move is refused;
 *   3. confirm: in one transaction the person record moves to the new account as its own person
 *      (same person id, so registrations, face template and history follow), gains the new
 *      verification, and leaves the household: the representative can no longer act for them.
 * The move is audited (household.member_left). A refused step changes nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.ts';
import type { Logger } from '../core/logger.ts';
import type { SecretBox } from '../core/secret-box.ts';
import { basicFourHash, createChallenge, toEvidenceRecord } from '../jpki/index.ts';
import type { BasicFourClaims, JpkiEvidenceRecord, JpkiVerifier } from '../jpki/index.ts';
import { ageAt } from '../claims/derive.ts';
import type { FactsReader } from '../claims/facts.ts';
import { personHashKey } from '../identity/proofing/proofing-service.ts';
import type { TransientStore } from '../identity/proofing/transient-store.ts';
import { accountChanged } from '../identity/account-cache.ts';
import { lockAccount } from '../identity/accounts.ts';
import { deletePerson, selfPersonOf } from '../identity/persons.ts';
import { isVerified, personBoundTo, personKeyOf, storeVerifiedPerson } from '../identity/verified-persons.ts';
import { countActiveRegistrations, hasRegistration } from '../registrations/registration-store.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { membershipOf } from './directory.ts';
import { FamilyError } from './errors.ts';
import { TEXT_AP_MAX_AGE } from './household-service.ts';

export const CLAIM_PENDING_TTL_SECONDS = 600;

export interface MemberClaimDeps {
  db: Database;
  box: SecretBox;
  store: TransientStore;
  facts: FactsReader;
  verifier: () => JpkiVerifier | undefined;
  identityHashKey: string;
  challengeTtlSeconds: number;
  log: Logger;
}

interface Pending {
  clientId: string;
  personId: string;
  householdId: string;
  relation: string;
  personKey: string;
  claims: BasicFourClaims;
  evidence: JpkiEvidenceRecord;
  substitution: { name: boolean; address: boolean };
  certificateNotAfter: string;
  anchorEnvironment: string;
}

const challengeKey = (accountId: string, id: string) => `claim-challenge:${accountId}:${id}`;
const pendingKey = (accountId: string, id: string) => `claim-pending:${accountId}:${id}`;

/** Facts compared as written on the card: Unicode-normalised, spaces ignored (全角/半角 alike). */
const norm = (value: string | undefined) => (value ?? '').normalize('NFKC').replace(/\s+/g, '');

function sameBasicFour(a: BasicFourClaims, b: BasicFourClaims): boolean {
  return norm(a.name) === norm(b.name) && a.birthdate === b.birthdate && (a.gender ?? '') === (b.gender ?? '') && norm(a.address.formatted) === norm(b.address.formatted);
}

interface Membership {
  personId: string;
  householdId: string;
  relation: string;
}

export class MemberClaim {
  readonly #d: MemberClaimDeps;
  readonly #hashKey: Uint8Array;

  constructor(deps: MemberClaimDeps) {
    this.#d = deps;
    this.#hashKey = personHashKey(deps.identityHashKey);
  }

  /** The new account must not be anyone yet: a proofed account is another person. */
  async #assertFreshAccount(accountId: string): Promise<void> {
    const self = await selfPersonOf(this.#d.db, accountId);
    if (self && (await isVerified(this.#d.db, self))) throw new FamilyError('account_already_proofed');
  }

  /** The household member bound to the person key; representatives are account holders already. */
  async #membership(personKey: string): Promise<Membership | undefined> {
    const personId = await personBoundTo(this.#d.db, personKey);
    const membership = personId ? await membershipOf(this.#d.db, personId) : undefined;
    if (!personId || !membership || membership.relation === 'representative') return undefined;
    return { personId, householdId: membership.id, relation: membership.relation };
  }

  async issueChallenge(accountId: string, clientId: string): Promise<{ id: string; challenge: Uint8Array; expiresAt: Date }> {
    await this.#assertFreshAccount(accountId);
    const id = randomBytes(16).toString('base64url');
    const issuedAt = new Date();
    const challenge = createChallenge({ purpose: 'identity_proofing', client: clientId, account: accountId, issuedAt });
    await this.#d.store.put(challengeKey(accountId, id), JSON.stringify({ clientId, challenge: Buffer.from(challenge).toString('base64') }), this.#d.challengeTtlSeconds);
    return { id, challenge, expiresAt: new Date(issuedAt.getTime() + this.#d.challengeTtlSeconds * 1000) };
  }

  /** Verifies the card and finds the member it proves; nothing moves until confirm. */
  async verify(accountId: string, clientId: string, input: { challengeId: string; certificate: Uint8Array; signature: Uint8Array; intermediates?: Uint8Array[] }) {
    const raw = await this.#d.store.take(challengeKey(accountId, input.challengeId));
    if (!raw) throw new FamilyError('challenge_invalid');
    const stored = JSON.parse(raw) as { clientId: string; challenge: string };
    if (stored.clientId !== clientId) throw new FamilyError('challenge_invalid');
    await this.#assertFreshAccount(accountId);
    const verifier = this.#d.verifier();
    if (!verifier) throw new FamilyError('proofing_unavailable');
    const v = await verifier.verifySignatureProof({
      certificate: input.certificate,
      signature: input.signature,
      challenge: new Uint8Array(Buffer.from(stored.challenge, 'base64')),
      ...(input.intermediates ? { intermediates: input.intermediates } : {}),
    });
    const personKey = basicFourHash(v.basicFour, { key: this.#hashKey, includeAddress: false });
    const member = await this.#membership(personKey);
    if (!member) throw new FamilyError('no_member_to_claim');
    const age = ageAt(v.claims.birthdate, new Date());
    if (age === undefined || age <= TEXT_AP_MAX_AGE) throw new FamilyError('not_of_age');
    const recorded = await this.#d.facts.identity(member.personId);
    if (!recorded || !sameBasicFour(recorded.claims, v.claims)) throw new FamilyError('member_facts_mismatch');
    const pending: Pending = {
      clientId,
      ...member,
      personKey,
      claims: v.claims,
      evidence: toEvidenceRecord(v),
      substitution: { name: v.basicFour.nameSubstitution.present, address: v.basicFour.addressSubstitution.present },
      certificateNotAfter: v.certificate.notAfter.toISOString(),
      anchorEnvironment: v.anchor.environment,
    };
    const verificationId = randomBytes(16).toString('base64url');
    const key = pendingKey(accountId, verificationId);
    await this.#d.store.put(key, this.#d.box.seal(JSON.stringify(pending), key), CLAIM_PENDING_TTL_SECONDS);
    return { verificationId, relation: member.relation, claims: v.claims, expiresAt: new Date(Date.now() + CLAIM_PENDING_TTL_SECONDS * 1000) };
  }

  /** The member confirmed: their person record becomes this account's own, outside the household. */
  async confirm(accountId: string, clientId: string, verificationId: string): Promise<{ personId: string; householdId: string; registrations: number }> {
    const key = pendingKey(accountId, verificationId);
    const sealed = await this.#d.store.take(key);
    if (!sealed) throw new FamilyError('verification_expired');
    const p = JSON.parse(this.#d.box.openText(sealed, key)) as Pending;
    if (p.clientId !== clientId) throw new FamilyError('verification_expired');
    const moved = await this.#d.db.transaction(async (trx) => {
      // The new account's row, then the member's row: a second confirm or a removal waits, then sees the change.
      await lockAccount(trx, accountId);
      const membership = (await trx('household_members').where({ person_id: p.personId, household_id: p.householdId }).forUpdate().first('relation')) as
        | { relation: string }
        | undefined;
      if (!membership || membership.relation === 'representative') throw new FamilyError('no_member_to_claim');
      if ((await personKeyOf(trx, p.personId)) !== p.personKey) throw new FamilyError('member_facts_mismatch');
      const self = await selfPersonOf(trx, accountId);
      if (self) {
        // A bare person of the new account (no identity, nothing hanging off it) gives way; anything else is someone.
        if ((await isVerified(trx, self)) || (await hasRegistration(trx, self))) throw new FamilyError('account_already_proofed');
        await deletePerson(trx, self);
      }
      await storeVerifiedPerson(trx, this.#d.box, { personId: p.personId, comesOfAge: true }, p.personKey, {
        accountId,
        clientId: p.clientId,
        method: 'jpki_signature',
        evidence: p.evidence,
        claims: p.claims,
        substitution: p.substitution,
        certificateNotAfter: new Date(p.certificateNotAfter),
        anchorEnvironment: p.anchorEnvironment,
      });
      await trx('household_members').where({ person_id: p.personId }).delete();
      const registrations = await countActiveRegistrations(trx, p.personId);
      await appendAudit(trx, {
        actorAccountId: accountId,
        action: 'household.member_left',
        householdId: p.householdId,
        personId: p.personId,
        details: { relation: membership.relation, method: 'jpki_signature', registrationsKept: registrations },
      });
      return { personId: p.personId, householdId: p.householdId, registrations };
    });
    accountChanged(this.#d.db, accountId);
    this.#d.log.info({ personId: moved.personId, householdId: moved.householdId }, 'household member moved to an account of their own');
    return moved;
  }
}
