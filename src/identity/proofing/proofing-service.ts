/**
 * The identity-proofing flow with the signature certificate of the My Number Card:
 *   1. challenge: random, single use, minutes long, bound to the account and the client;
 *   2. verify: the card's signature over it and the certificate (src/jpki); the basic four are
 *      held, sealed, for the resident to confirm — nothing is bound yet. When the app read the
 *      card's user-authentication certificate in the same session and that key signed the same
 *      challenge, the card is verified too and held with the facts if the two certificates are one
 *      card's (card-pair.ts);
 *   3. confirm: the verified person is bound to the account's own person, or refused; the card
 *      becomes the person's card for check-ins in the same transaction (card-links.ts).
 * A refusal at any step stores nothing, except that the challenge is used up (JPKI.md §4.1).
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import type { Logger } from '../../core/logger.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { basicFourHash, createChallenge, digestInfoForChallenge, toEvidenceRecord } from '../../jpki/index.ts';
import type { AnchorEnvironment, BasicFourClaims, JpkiEvidenceRecord, JpkiVerifier } from '../../jpki/index.ts';
import type { BasicFourHashInput } from '../../jpki/basic-four-hash.ts';
import { ProofingForbiddenError, ProofingInputError } from './errors.ts';
import { cardKeyOf, type CardCertificate } from './card-links.ts';
import { cardPair } from './card-pair.ts';
import { cardCertificateOf, verifyCardAuthentication, type SignedProof } from './card-proof.ts';
import { IdentityRecords } from './records.ts';
import type { BindingResult, CurrentIdentity, HistoryEntry } from './records.ts';
import type { TransientStore } from './transient-store.ts';
import { NO_PROOFING_METRICS, type ProofingMetrics, type ProofingStep } from './metrics.ts';

/** How long verified facts wait for the resident's confirmation. */
export const PENDING_TTL_SECONDS = 600;

export interface ProofingPrincipal {
  accountId: string | undefined;
  clientId: string;
}

export interface ProofInputs {
  challengeId: string;
  certificate: Uint8Array;
  signature: Uint8Array;
  intermediates?: Uint8Array[];
  /** The same card's user-authentication certificate and its key's signature over the same challenge. */
  authentication?: SignedProof;
}

/** What became of the card read with the signature certificate. */
export type CardOutcome =
  | { read: false }
  | { read: true; linked: true }
  /** Verified, but the two certificates are not shown to be one card's: proofing goes on without it. */
  | { read: true; linked: false; why: 'environment' | 'issuance' };

interface PendingCard extends Omit<CardCertificate, 'notBefore' | 'notAfter'> {
  cardKey: string;
  notBefore: string;
  notAfter: string;
}

export interface IssuedChallenge {
  id: string;
  challenge: Uint8Array;
  digestInfo: Uint8Array;
  expiresAt: Date;
}

interface StoredChallenge {
  clientId: string;
  challenge: string;
}

interface PendingVerification {
  clientId: string;
  personKey: string;
  evidence: JpkiEvidenceRecord;
  claims: BasicFourClaims;
  substitution: { name: boolean; address: boolean };
  certificateNotAfter: string;
  anchorEnvironment: AnchorEnvironment;
  card?: PendingCard;
  cardOutcome: CardOutcome;
}

export interface PendingView {
  verificationId: string;
  expiresAt: Date;
  claims: BasicFourClaims;
  substitution: { name: boolean; address: boolean };
  certificateNotAfter: Date;
  reverification: boolean;
  card: CardOutcome;
}

export interface ProofingServiceDeps {
  db: Database;
  box: SecretBox;
  store: TransientStore;
  verifier: JpkiVerifier;
  identityHashKey: string;
  challengeTtlSeconds: number;
  log: Logger;
  /** Counts each step's outcome (src/identity/proofing/metrics.ts). */
  metrics?: ProofingMetrics;
}

/** Domain-separated key for the person hash, so identityHashKey's other uses never collide with it. */
export function personHashKey(identityHashKey: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', identityHashKey, 'pass-jpki', 'PASS JPKI person key v1', 32));
}

/** The person key of a card's basic four: name, birthdate and sex (a move keeps the person). */
export function personKeyFor(facts: BasicFourHashInput, hashKey: Uint8Array): string {
  return basicFourHash(facts, { key: hashKey, includeAddress: false });
}

const challengeKey = (accountId: string, id: string) => `challenge:${accountId}:${id}`;
const pendingKey = (accountId: string, id: string) => `pending:${accountId}:${id}`;

export class ProofingService {
  readonly records: IdentityRecords;
  readonly #deps: ProofingServiceDeps;
  readonly #hashKey: Uint8Array;

  constructor(deps: ProofingServiceDeps) {
    this.#deps = deps;
    this.records = new IdentityRecords(deps.db, deps.box);
    this.#hashKey = personHashKey(deps.identityHashKey);
  }

  async issueChallenge(principal: ProofingPrincipal): Promise<IssuedChallenge> {
    const accountId = requireAccount(principal);
    const id = randomBytes(16).toString('base64url');
    const issuedAt = new Date();
    const challenge = createChallenge({ purpose: 'identity_proofing', client: principal.clientId, account: accountId, issuedAt });
    const stored: StoredChallenge = { clientId: principal.clientId, challenge: Buffer.from(challenge).toString('base64') };
    await this.#deps.store.put(challengeKey(accountId, id), JSON.stringify(stored), this.#deps.challengeTtlSeconds);
    return {
      id,
      challenge,
      digestInfo: digestInfoForChallenge(challenge),
      expiresAt: new Date(issuedAt.getTime() + this.#deps.challengeTtlSeconds * 1000),
    };
  }

  verify(principal: ProofingPrincipal, input: ProofInputs): Promise<PendingView> {
    return this.#counted('verify', () => this.#verify(principal, input));
  }

  async #verify(principal: ProofingPrincipal, input: ProofInputs): Promise<PendingView> {
    const accountId = requireAccount(principal);
    // Used up first, whatever follows (JPKI.md §4.1); a challenge of another account is not found.
    const raw = await this.#deps.store.take(challengeKey(accountId, input.challengeId));
    if (!raw) throw new ProofingInputError('challenge_invalid', 'the challenge is unknown, expired or already used');
    const stored = JSON.parse(raw) as StoredChallenge;
    if (stored.clientId !== principal.clientId) throw new ProofingForbiddenError('challenge_mismatch', 'the challenge was issued to another client');
    const challenge = new Uint8Array(Buffer.from(stored.challenge, 'base64'));
    const v = await this.#deps.verifier.verifySignatureProof({
      certificate: input.certificate,
      signature: input.signature,
      challenge,
      ...(input.intermediates ? { intermediates: input.intermediates } : {}),
    });
    const personKey = personKeyFor(v.basicFour, this.#hashKey);
    const { reverification } = await this.records.precheck(accountId, personKey);
    let card: PendingCard | undefined;
    let cardOutcome: CardOutcome = { read: false };
    if (input.authentication) {
      const auth = await verifyCardAuthentication(this.#deps.verifier, input.authentication, challenge);
      const pair = cardPair(v, auth);
      if (pair.oneCard) {
        const c = cardCertificateOf(auth);
        card = { ...c, cardKey: cardKeyOf(this.#deps.identityHashKey, c.issuer, c.serialNumber), notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString() };
        cardOutcome = { read: true, linked: true };
      } else {
        cardOutcome = { read: true, linked: false, why: pair.why };
      }
    }
    const pending: PendingVerification = {
      clientId: principal.clientId,
      personKey,
      evidence: toEvidenceRecord(v),
      claims: v.claims,
      substitution: { name: v.basicFour.nameSubstitution.present, address: v.basicFour.addressSubstitution.present },
      certificateNotAfter: v.certificate.notAfter.toISOString(),
      anchorEnvironment: v.anchor.environment,
      ...(card ? { card } : {}),
      cardOutcome,
    };
    const verificationId = randomBytes(16).toString('base64url');
    const key = pendingKey(accountId, verificationId);
    await this.#deps.store.put(key, this.#deps.box.seal(JSON.stringify(pending), key), PENDING_TTL_SECONDS);
    return {
      verificationId,
      expiresAt: new Date(Date.now() + PENDING_TTL_SECONDS * 1000),
      claims: v.claims,
      substitution: pending.substitution,
      certificateNotAfter: v.certificate.notAfter,
      reverification,
      card: cardOutcome,
    };
  }

  /** The resident confirmed the facts: bind them to the account's own person. */
  confirm(principal: ProofingPrincipal, verificationId: string): Promise<BindingResult & { claims: BasicFourClaims; verifiedAt: string; cardLinked: boolean }> {
    return this.#counted('confirm', () => this.#confirm(principal, verificationId));
  }

  async #confirm(principal: ProofingPrincipal, verificationId: string): Promise<BindingResult & { claims: BasicFourClaims; verifiedAt: string; cardLinked: boolean }> {
    const accountId = requireAccount(principal);
    const key = pendingKey(accountId, verificationId);
    const sealed = await this.#deps.store.take(key);
    if (!sealed) throw new ProofingInputError('verification_expired', 'the verification is unknown, expired or already confirmed');
    const pending = JSON.parse(this.#deps.box.openText(sealed, key)) as PendingVerification;
    if (pending.clientId !== principal.clientId) throw new ProofingForbiddenError('challenge_mismatch', 'the verification was made by another client');
    const result = await this.records.bind({
      accountId,
      clientId: pending.clientId,
      personKey: pending.personKey,
      evidence: pending.evidence,
      claims: pending.claims,
      substitution: pending.substitution,
      certificateNotAfter: new Date(pending.certificateNotAfter),
      anchorEnvironment: pending.anchorEnvironment,
      ...(pending.card
        ? { card: { cardKey: pending.card.cardKey, certificate: { ...pending.card, notBefore: new Date(pending.card.notBefore), notAfter: new Date(pending.card.notAfter) } } }
        : {}),
    });
    this.#deps.log.info(
      { accountId, personId: result.personId, verificationId: result.verificationId, reverified: result.reverified, revocation: pending.evidence.revocation.method, cardLinked: Boolean(pending.card) },
      'identity proofed with the My Number Card',
    );
    return { ...result, claims: pending.claims, verifiedAt: pending.evidence.verifiedAt, cardLinked: Boolean(pending.card) };
  }

  async #counted<T>(step: ProofingStep, run: () => Promise<T>): Promise<T> {
    const metrics = this.#deps.metrics ?? NO_PROOFING_METRICS;
    try {
      const result = await run();
      metrics.outcome(step);
      return result;
    } catch (error) {
      metrics.outcome(step, error);
      throw error;
    }
  }

  async status(principal: ProofingPrincipal): Promise<{ current: CurrentIdentity | undefined; history: HistoryEntry[] }> {
    const accountId = requireAccount(principal);
    const current = await this.records.currentForAccount(accountId);
    return { current, history: current ? await this.records.history(current.personId) : [] };
  }
}

function requireAccount(principal: ProofingPrincipal): string {
  if (!principal.accountId) throw new ProofingForbiddenError('no_account', 'identity proofing needs a token issued to a signed-in resident');
  return principal.accountId;
}
