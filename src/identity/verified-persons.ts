/**
 * Verified persons: every proof of a person (identity_verifications — the evidence kept minimal,
 * the basic four derived from it sealed) and the person's binding to one verified identity
 * (person_identities — the keyed hash of name, birthdate and sex, unique, and the current proof).
 * One person, one PASS ID: a person once bound keeps their key.
 *
 * storeVerifiedPerson is the one writer: the resident's own proofing, a household member added by
 * their representative and a member who comes of age all store their proof through it. The rules
 * of who may be proved are the callers' (each refuses in its own words); the unique person key is
 * the last guard against a race.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { SecretBox } from '../core/secret-box.ts';
import type { AnchorEnvironment, BasicFourClaims, JpkiEvidenceRecord } from '../jpki/index.ts';
import { createPerson, makeSelfPersonOf } from './persons.ts';

/** The card's signature certificate, its text-input-support AP, or the Digital Agency's app (proofing/digital-agency). */
export type ProofingMethod = 'jpki_signature' | 'jpki_text_ap' | 'digital_agency_app';

const METHODS: readonly ProofingMethod[] = ['jpki_signature', 'jpki_text_ap', 'digital_agency_app'];

/** A verified proof, as the card and its checks gave it. */
export interface Proof {
  /** The account that made the proof; the person belongs to it. */
  accountId: string;
  clientId: string;
  method: ProofingMethod;
  evidence: JpkiEvidenceRecord;
  claims: BasicFourClaims;
  /** Whether the card carried a substitute name or address (通称 etc.); none for the text AP. */
  substitution?: { name: boolean; address: boolean };
  certificateNotAfter: Date;
  anchorEnvironment: string;
}

/** Whose proof it is. */
export type ProvedPerson =
  /** A new person of the proof's account: its own ('self') or a household member ('child', 'parent'). */
  | { create: string }
  /** An existing person of the proof's account; `bound` when already bound to the key (a re-verification). */
  | { personId: string; bound: boolean }
  /** A household member who came of age: moves to the proof's account as its own person, keeping their key. */
  | { personId: string; comesOfAge: true };

/** A person's current proof, opened. */
export interface StoredProof {
  personId: string;
  verificationId: string;
  method: ProofingMethod;
  claims: BasicFourClaims;
  verifiedAt: Date;
  issuer: string;
  serialNumber: string;
  anchorEnvironment: AnchorEnvironment;
  revocation: { status: 'good' | 'revoked'; method: 'crl' | 'ocsp'; checkedAt: Date; source: string };
  substitution: { name: boolean; address: boolean };
  boundAt: Date;
}

export interface HistoryEntry {
  id: string;
  /** How this proof was made. */
  method: string;
  verifiedAt: Date;
  issuer: string;
  serialNumber: string;
  revocation: { status: string; method: string; checkedAt: Date };
  current: boolean;
}

interface VerificationRow {
  id: string;
  person_id: string;
  method: string;
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

/** The sealed claims are bound to their verification, so a row's claims cannot be moved to another. */
const claimsContext = (verificationId: string) => `identity-verification:${verificationId}`;

/**
 * Stores a proof as the person's newest verification and makes it their current one: a person
 * proved for the first time is bound to `personKey`; one proved again keeps the key they have.
 * Runs in the caller's transaction, after the caller has checked its rules there.
 */
export async function storeVerifiedPerson(
  trx: Knex.Transaction,
  box: SecretBox,
  person: ProvedPerson,
  personKey: string,
  proof: Proof,
): Promise<{ personId: string; verificationId: string }> {
  let personId: string;
  if ('create' in person) {
    personId = await createPerson(trx, proof.accountId, person.create);
  } else {
    personId = person.personId;
    if ('comesOfAge' in person) await makeSelfPersonOf(trx, personId, proof.accountId);
  }
  const verificationId = randomUUID();
  await trx('identity_verifications').insert({
    id: verificationId,
    person_id: personId,
    account_id: proof.accountId,
    client_id: proof.clientId,
    method: proof.method,
    issuer: proof.evidence.issuer,
    serial_number: proof.evidence.serialNumber,
    certificate_not_after: proof.certificateNotAfter,
    anchor_environment: proof.anchorEnvironment,
    verified_at: new Date(proof.evidence.verifiedAt),
    revocation_status: proof.evidence.revocation.status,
    revocation_method: proof.evidence.revocation.method,
    revocation_checked_at: new Date(proof.evidence.revocation.checkedAt),
    revocation_source: proof.evidence.revocation.source,
    name_substituted: proof.substitution?.name ?? false,
    address_substituted: proof.substitution?.address ?? false,
    claims_sealed: box.seal(JSON.stringify(proof.claims), claimsContext(verificationId)),
  });
  const bound = 'comesOfAge' in person || ('bound' in person && person.bound);
  if (bound) {
    await trx('person_identities').where({ person_id: personId }).update({ current_verification_id: verificationId, updated_at: new Date() });
  } else {
    await trx('person_identities').insert({ person_id: personId, person_key: personKey, current_verification_id: verificationId });
  }
  return { personId, verificationId };
}

/** The key the person is bound to; undefined when never proved. */
export async function personKeyOf(db: Knex, personId: string): Promise<string | undefined> {
  const row = (await db('person_identities').where({ person_id: personId }).first('person_key')) as { person_key: string } | undefined;
  return row?.person_key;
}

/** The person bound to the key, if anyone is. */
export async function personBoundTo(db: Knex, personKey: string): Promise<string | undefined> {
  const row = (await db('person_identities').where({ person_key: personKey }).first('person_id')) as { person_id: string } | undefined;
  return row?.person_id;
}

export async function isVerified(db: Knex, personId: string): Promise<boolean> {
  return Boolean(await db('person_identities').where({ person_id: personId }).first('person_id'));
}

/** How the person's current proof was made (jpki_signature, jpki_text_ap); undefined when never proved. */
export async function currentProofMethod(db: Knex, personId: string): Promise<string | undefined> {
  const row = (await db('person_identities as pi')
    .join('identity_verifications as v', 'v.id', 'pi.current_verification_id')
    .where('pi.person_id', personId)
    .first('v.method')) as { method: string } | undefined;
  return row?.method;
}

/** The person's current proof with its claims opened; undefined when never proved. */
export async function currentProof(db: Knex, box: SecretBox, personId: string): Promise<StoredProof | undefined> {
  const row = (await db('person_identities as pi')
    .join('identity_verifications as v', 'v.id', 'pi.current_verification_id')
    .where('pi.person_id', personId)
    .first('v.*', 'pi.bound_at')) as (VerificationRow & { bound_at: Date }) | undefined;
  if (!row) return undefined;
  return {
    personId,
    verificationId: row.id,
    method: METHODS.includes(row.method as ProofingMethod) ? (row.method as ProofingMethod) : 'jpki_signature',
    claims: JSON.parse(box.openText(row.claims_sealed, claimsContext(row.id))) as BasicFourClaims,
    verifiedAt: new Date(row.verified_at),
    issuer: row.issuer,
    serialNumber: row.serial_number,
    anchorEnvironment: row.anchor_environment,
    revocation: {
      status: row.revocation_status,
      method: row.revocation_method,
      checkedAt: new Date(row.revocation_checked_at),
      source: row.revocation_source,
    },
    substitution: { name: row.name_substituted, address: row.address_substituted },
    boundAt: new Date(row.bound_at),
  };
}

/** Every proof of the person, newest first; the derived claims stay sealed. */
export async function proofHistory(db: Knex, personId: string): Promise<HistoryEntry[]> {
  const current = (await db('person_identities').where({ person_id: personId }).first('current_verification_id')) as
    | { current_verification_id: string }
    | undefined;
  const rows = (await db('identity_verifications').where({ person_id: personId }).orderBy('verified_at', 'desc')) as VerificationRow[];
  return rows.map((r) => ({
    id: r.id,
    method: r.method,
    verifiedAt: new Date(r.verified_at),
    issuer: r.issuer,
    serialNumber: r.serial_number,
    revocation: { status: r.revocation_status, method: r.revocation_method, checkedAt: new Date(r.revocation_checked_at) },
    current: r.id === current?.current_verification_id,
  }));
}
