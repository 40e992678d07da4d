/**
 * Proofing a family member for the representative, in three steps like the resident's own proofing:
 *   1. challenge: random, single use, bound to the account, the client and the method;
 *   2. verify: the member's card — the signature certificate with its 6–16 character PIN (adults,
 *      15 and over), or the text-input-support AP with the 4-digit PIN (children under 15) — and
 *      the household rules, read-only; the facts wait, sealed, for the representative to confirm;
 *   3. confirm: the member is added to the household (household-service.ts).
 * The PINs never reach PASS: the card checks them.
 */
import { hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import type { Logger } from '../core/logger.ts';
import type { SecretBox } from '../core/secret-box.ts';
import { basicFourHash, createChallenge, splitName, toEvidenceRecord } from '../jpki/index.ts';
import type { BasicFourClaims, JpkiEvidenceRecord, JpkiVerifier } from '../jpki/index.ts';
import type { BasicFourHashInput } from '../jpki/basic-four-hash.ts';
import type { TransientStore } from '../identity/proofing/transient-store.ts';
import { FamilyError } from './errors.ts';
import type { HouseholdService, MemberMethod, MemberRelation } from './household-service.ts';
import { isoBirthdate, TextApError, verifyTextApRead, type TextApRead } from './text-ap/verify.ts';

export const MEMBER_PENDING_TTL_SECONDS = 600;

export type MemberProof =
  | { method: 'jpki_signature'; certificate: Uint8Array; signature: Uint8Array; intermediates?: Uint8Array[] }
  | ({ method: 'jpki_text_ap' } & TextApRead);

export interface MemberProofingDeps {
  box: SecretBox;
  store: TransientStore;
  households: HouseholdService;
  /** The JPKI verifier of the proofing capability; undefined when it is not running. */
  verifier: () => JpkiVerifier | undefined;
  /** Trusted text-AP issuer keys by key id, and their environment; empty in production for now. */
  textApIssuers: () => Promise<{ keys: ReadonlyMap<string, KeyObject>; environment: string }>;
  identityHashKey: string;
  challengeTtlSeconds: number;
  log: Logger;
}

interface Pending {
  clientId: string;
  relation: MemberRelation;
  method: MemberMethod;
  personKey: string;
  claims: BasicFourClaims;
  evidence: JpkiEvidenceRecord;
  certificateNotAfter: string;
  anchorEnvironment: string;
}

const challengeKey = (accountId: string, id: string) => `member-challenge:${accountId}:${id}`;
const pendingKey = (accountId: string, id: string) => `member-pending:${accountId}:${id}`;

function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

function textApClaims(facts: { name: string; address: string; birthdate: string; sex: string }): BasicFourClaims {
  const split = splitName(facts.name);
  const claims: BasicFourClaims = { name: facts.name, birthdate: isoBirthdate(facts.birthdate), address: { formatted: facts.address, country_code: 'JPN' } };
  if (split) Object.assign(claims, { family_name: split.familyName, given_name: split.givenName });
  if (facts.sex === '1') claims.gender = 'male';
  if (facts.sex === '2') claims.gender = 'female';
  return claims;
}

export class MemberProofing {
  readonly #d: MemberProofingDeps;
  readonly #hashKey: Uint8Array;

  constructor(deps: MemberProofingDeps) {
    this.#d = deps;
    // The same person key as the resident's own proofing (proofing-service.ts personHashKey), so a
    // member and an account holder are recognised as one person.
    this.#hashKey = new Uint8Array(hkdfSync('sha256', deps.identityHashKey, 'pass-jpki', 'PASS JPKI person key v1', 32));
  }

  async issueChallenge(accountId: string, clientId: string, method: MemberMethod): Promise<{ id: string; challenge: Uint8Array; expiresAt: Date }> {
    await this.#d.households.representative(accountId);
    const id = randomBytes(16).toString('base64url');
    const issuedAt = new Date();
    const challenge = createChallenge({ purpose: 'identity_proofing', client: clientId, account: accountId, issuedAt });
    const value = JSON.stringify({ clientId, method, challenge: Buffer.from(challenge).toString('base64') });
    await this.#d.store.put(challengeKey(accountId, id), value, this.#d.challengeTtlSeconds);
    return { id, challenge, expiresAt: new Date(issuedAt.getTime() + this.#d.challengeTtlSeconds * 1000) };
  }

  async #verifyProof(proof: MemberProof, challenge: Uint8Array): Promise<Omit<Pending, 'clientId' | 'relation' | 'method'>> {
    if (proof.method === 'jpki_signature') {
      const verifier = this.#d.verifier();
      if (!verifier) throw new FamilyError('proofing_unavailable');
      const v = await verifier.verifySignatureProof({
        certificate: proof.certificate,
        signature: proof.signature,
        challenge,
        ...(proof.intermediates ? { intermediates: proof.intermediates } : {}),
      });
      return {
        personKey: basicFourHash(v.basicFour, { key: this.#hashKey, includeAddress: false }),
        claims: v.claims,
        evidence: toEvidenceRecord(v),
        certificateNotAfter: v.certificate.notAfter.toISOString(),
        anchorEnvironment: v.anchor.environment,
      };
    }
    const { verified, claims, sexCode, environment } = await this.#textAp(proof, challenge);
    const now = new Date();
    return {
      personKey: basicFourHash({ name: claims.name, birthdate: claims.birthdate, sexCode, address: claims.address.formatted }, { key: this.#hashKey, includeAddress: false }),
      claims,
      evidence: {
        issuer: `text-ap:${verified.issuerKeyId}`,
        serialNumber: verified.cardKeyId,
        verifiedAt: isoSeconds(now),
        // The text AP has no revocation list; the card's own key proved presence instead.
        revocation: { status: 'good', method: 'none' as 'crl', checkedAt: isoSeconds(now), source: 'not applicable: text-input-support AP' },
      },
      certificateNotAfter: new Date(now.getTime() + 365 * 86400_000).toISOString(),
      anchorEnvironment: environment,
    };
  }

  /** A text-AP read verified against the trusted issuer keys: its facts as claims, and the sex code the person key hashes. */
  async #textAp(read: TextApRead, challenge: Uint8Array) {
    const issuers = await this.#d.textApIssuers();
    if (issuers.keys.size === 0) throw new FamilyError('text_ap_unavailable');
    let verified;
    try {
      verified = verifyTextApRead(read, challenge, issuers.keys);
    } catch (error) {
      if (error instanceof TextApError) {
        this.#d.log.info({ problem: error.message }, 'text-input-support AP data refused');
        throw new FamilyError('text_ap_invalid');
      }
      throw error;
    }
    const claims = textApClaims(verified.facts);
    const sexCode: '1' | '2' | '3' = verified.facts.sex === '1' || verified.facts.sex === '2' ? verified.facts.sex : '3';
    return { verified, claims, sexCode, environment: issuers.environment };
  }

  /**
   * A text-AP read verified for the kiosk's enrollment (kiosk-enrollment.ts): its facts as claims,
   * the sex code as the card holds it, the person key, and which issuer key and card AP key vouched.
   */
  async verifiedTextAp(read: TextApRead, challenge: Uint8Array): Promise<{ claims: BasicFourClaims; sexCode: '1' | '2' | '3'; personKey: string; issuerKeyId: string; cardKeyId: string; environment: string }> {
    const { verified, claims, sexCode, environment } = await this.#textAp(read, challenge);
    const personKey = basicFourHash({ name: claims.name, birthdate: claims.birthdate, sexCode, address: claims.address.formatted }, { key: this.#hashKey, includeAddress: false });
    return { claims, sexCode, personKey, issuerKeyId: verified.issuerKeyId, cardKeyId: verified.cardKeyId, environment };
  }

  /**
   * The J-LIS-signed basic four of a card's text-input-support AP, verified: identity asks whether
   * they are a resident's own when the card is linked for check-in (src/identity/proofing/card-binding.ts).
   */
  async textApBasicFour(read: TextApRead, challenge: Uint8Array): Promise<BasicFourHashInput> {
    const { claims, sexCode } = await this.#textAp(read, challenge);
    return { name: claims.name, birthdate: claims.birthdate, sexCode, address: claims.address.formatted };
  }

  /** Verifies the member's card and the household rules; nothing is stored but the sealed facts awaiting confirmation. */
  async verify(accountId: string, clientId: string, input: { challengeId: string; relation: MemberRelation; proof: MemberProof }) {
    const raw = await this.#d.store.take(challengeKey(accountId, input.challengeId));
    if (!raw) throw new FamilyError('challenge_invalid');
    const stored = JSON.parse(raw) as { clientId: string; method: MemberMethod; challenge: string };
    if (stored.clientId !== clientId || stored.method !== input.proof.method) throw new FamilyError('challenge_invalid');
    const proven = await this.#verifyProof(input.proof, new Uint8Array(Buffer.from(stored.challenge, 'base64')));
    await this.#d.households.checkNewMember(accountId, { relation: input.relation, method: input.proof.method, personKey: proven.personKey, claims: proven.claims });
    const pending: Pending = { clientId, relation: input.relation, method: input.proof.method, ...proven };
    const verificationId = randomBytes(16).toString('base64url');
    const key = pendingKey(accountId, verificationId);
    await this.#d.store.put(key, this.#d.box.seal(JSON.stringify(pending), key), MEMBER_PENDING_TTL_SECONDS);
    return {
      verificationId,
      relation: pending.relation,
      method: pending.method,
      assurance: pending.method === 'jpki_signature' ? ('high' as const) : ('low' as const),
      claims: pending.claims,
      expiresAt: new Date(Date.now() + MEMBER_PENDING_TTL_SECONDS * 1000),
    };
  }

  async confirm(accountId: string, clientId: string, verificationId: string): Promise<{ householdId: string; personId: string; relation: MemberRelation; claims: BasicFourClaims }> {
    const key = pendingKey(accountId, verificationId);
    const sealed = await this.#d.store.take(key);
    if (!sealed) throw new FamilyError('verification_expired');
    const p = JSON.parse(this.#d.box.openText(sealed, key)) as Pending;
    if (p.clientId !== clientId) throw new FamilyError('verification_expired');
    const added = await this.#d.households.addMember(accountId, {
      relation: p.relation,
      method: p.method,
      personKey: p.personKey,
      claims: p.claims,
      evidence: p.evidence,
      certificateNotAfter: new Date(p.certificateNotAfter),
      anchorEnvironment: p.anchorEnvironment,
      clientId: p.clientId,
    });
    this.#d.log.info({ householdId: added.householdId, personId: added.personId, relation: p.relation, method: p.method }, 'household member added');
    return { ...added, relation: p.relation, claims: p.claims };
  }
}
