/**
 * Linking a My Number Card to a resident after proofing (a renewed card, or a resident proofed
 * before cards were read at proofing). Possession of the card is not enough: the card must be shown
 * to be the same person's as the one bound to the account, by one of
 *   - a fresh signature-key proof from the same card session (both keys sign PASS's link challenge,
 *     and card-pair.ts takes the two certificates as one card's) whose basic-four hash equals the
 *     person's key (verified-persons.ts);
 *   - the card's text-input-support AP (券面事項入力補助AP) read in the same session: its
 *     J-LIS-signed basic four, vouched for by households' verifier (src/households/text-ap), whose
 *     hash equals the person's key.
 * Anything else is refused as `card_other_person`, audited, and nothing is linked. The link
 * challenge is used up by any attempt, like every JPKI challenge.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import type { Logger } from '../../core/logger.ts';
import { ForbiddenError, InvalidInputError, PassError } from '../../core/errors.ts';
import { appendAudit } from '../../audit/audit-log.ts';
import { createChallenge } from '../../jpki/index.ts';
import type { AuthenticationVerification, JpkiVerifier } from '../../jpki/index.ts';
import type { BasicFourHashInput } from '../../jpki/basic-four-hash.ts';
import { lockAccount } from '../accounts.ts';
import { selfPersonOf } from '../persons.ts';
import { personKeyOf } from '../verified-persons.ts';
import { bindCard, cardKeyOf, cardsOf, forgetCards, type CardLinkVia, type LinkedCard } from './card-links.ts';
import { cardPair } from './card-pair.ts';
import { cardCertificateOf, verifyCardAuthentication, type SignedProof } from './card-proof.ts';
import { PROOFING_REASONS } from './messages.ts';
import { personHashKey, personKeyFor } from './proofing-service.ts';
import type { TransientStore } from './transient-store.ts';

/** The files of the text-input-support AP as the app read them, and the card AP key's signature over the challenge. */
export interface TextApProof {
  ef0002: Uint8Array;
  ef0003: Uint8Array;
  ef0004: Uint8Array;
  ef0007: Uint8Array;
  challengeSignature: Uint8Array;
}

/** Verifies a text-AP read against trusted issuer keys; the basic four it carries, or a throw. */
export type TextApVoucher = (read: TextApProof, challenge: Uint8Array) => Promise<BasicFourHashInput>;

export interface CardLinkInput {
  challengeId: string;
  /** The card's user-authentication certificate and its key's signature over the link challenge. */
  authentication: SignedProof;
  /** The same card's signature certificate and its signature over the same challenge. */
  signatureProof?: SignedProof;
  /** Or the same card's text-input-support AP. */
  textAp?: TextApProof;
}

export interface CardBindingDeps {
  db: Database;
  store: TransientStore;
  verifier: () => JpkiVerifier | undefined;
  identityHashKey: string;
  /** Absent where no text-AP issuer key is trusted: that way of showing the person is then refused. */
  textAp?: TextApVoucher;
  /** Whether the loaded CRLs list a card (pki.ts cardCertificateRevoked); undefined when not known. */
  revoked?: (issuer: string, serialNumber: string) => Promise<boolean | undefined>;
  log: Logger;
  ttlSeconds?: number;
}

type Refusal = 'other_person' | 'not_one_card' | 'no_proof' | 'text_ap_unavailable';

const LINK_PREFIX = 'card-link:';

export class CardBinding {
  readonly #d: CardBindingDeps;
  readonly #personHashKey: Uint8Array;
  readonly ttlSeconds: number;

  constructor(deps: CardBindingDeps) {
    this.#d = deps;
    this.ttlSeconds = deps.ttlSeconds ?? 120;
    this.#personHashKey = personHashKey(deps.identityHashKey);
  }

  /** A challenge for both keys of the resident's card (single use, bound to the account and client). */
  async challenge(accountId: string, clientId: string, now = new Date()): Promise<{ challengeId: string; challenge: Uint8Array; expiresAt: Date }> {
    const challengeId = randomBytes(16).toString('base64url');
    const challenge = createChallenge({ purpose: 'identity_proofing', client: clientId, account: accountId, issuedAt: now });
    await this.#d.store.put(`${LINK_PREFIX}${accountId}:${challengeId}`, Buffer.from(challenge).toString('base64'), this.ttlSeconds);
    return { challengeId, challenge, expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000) };
  }

  /**
   * Links the card to the account's own person when it is shown to be theirs. Refusals:
   * challenge_expired, not_proofed, card_invalid, card_revoked, the signature proof's own (src/jpki),
   * card_other_person.
   */
  async link(accountId: string, input: CardLinkInput): Promise<LinkedCard> {
    // Used up first, whatever follows; another account's challenge is not found.
    const stored = await this.#d.store.take(`${LINK_PREFIX}${accountId}:${input.challengeId}`);
    if (!stored) throw new InvalidInputError('challenge_expired', 'the challenge is unknown, expired or already used');
    const personId = await selfPersonOf(this.#d.db, accountId);
    const personKey = personId ? await personKeyOf(this.#d.db, personId) : undefined;
    if (!personId || !personKey) throw new ForbiddenError('not_proofed', 'identity proofing with the My Number Card comes first');
    const verifier = this.#d.verifier();
    if (!verifier) throw new PassError('unavailable', 'card_unavailable', 'card verification is not available');
    const challenge = new Uint8Array(Buffer.from(stored, 'base64'));

    const auth = await verifyCardAuthentication(verifier, input.authentication, challenge);
    const verdict = await this.#whoseCard(verifier, input, auth, challenge, personKey);
    if ('refused' in verdict) {
      await appendAudit(this.#d.db, { actorAccountId: accountId, action: 'identity.card_link_refused', personId, details: { reason: 'card_other_person', why: verdict.refused } });
      this.#d.log.info({ accountId, personId, why: verdict.refused }, 'a card not shown to be the resident\'s own was refused');
      throw PROOFING_REASONS.refuse('card_other_person', `the card is not shown to be this person's own (${verdict.refused})`);
    }
    const certificate = cardCertificateOf(auth);
    const cardKey = cardKeyOf(this.#d.identityHashKey, certificate.issuer, certificate.serialNumber);
    const via = verdict.via;
    await this.#d.db.transaction(async (trx) => {
      // The account row is the lock: two links of one resident's cards run one after another.
      await lockAccount(trx, accountId);
      await bindCard(trx, personId, cardKey, certificate, via);
      await appendAudit(trx, { actorAccountId: accountId, action: 'identity.card_linked', personId, details: { via } });
    });
    return (await cardsOf(this.#d.db, personId)).find((c) => c.cardKey === cardKey)!;
  }

  /** Whether the card that made `auth` is shown to be the person's (key `personKey`), and how. */
  async #whoseCard(verifier: JpkiVerifier, input: CardLinkInput, auth: AuthenticationVerification, challenge: Uint8Array, personKey: string): Promise<{ via: CardLinkVia } | { refused: Refusal }> {
    if (input.signatureProof) {
      const signed = await verifier.verifySignatureProof({ ...input.signatureProof, challenge });
      if (personKeyFor(signed.basicFour, this.#personHashKey) !== personKey) return { refused: 'other_person' };
      return cardPair(signed, auth).oneCard ? { via: 'signature' } : { refused: 'not_one_card' };
    }
    if (input.textAp) {
      if (!this.#d.textAp) return { refused: 'text_ap_unavailable' };
      const facts = await this.#vouch(this.#d.textAp, input.textAp, challenge);
      return personKeyFor(facts, this.#personHashKey) === personKey ? { via: 'text_ap' } : { refused: 'other_person' };
    }
    return { refused: 'no_proof' };
  }

  /** The text AP's facts; a read that does not verify is the card's refusal, an outage stays one. */
  async #vouch(voucher: TextApVoucher, read: TextApProof, challenge: Uint8Array): Promise<BasicFourHashInput> {
    try {
      return await voucher(read, challenge);
    } catch (error) {
      if (!(error instanceof PassError) || error.code === 'unavailable') throw error;
      throw new InvalidInputError('card_invalid', `the card's text-input-support AP was refused: ${error.reason}`);
    }
  }

  /** The person's cards: the current one first (revoked when its CRL says so), then the replaced ones. */
  async cards(personId: string): Promise<LinkedCard[]> {
    const cards = await cardsOf(this.#d.db, personId);
    const revoked = this.#d.revoked;
    return Promise.all(
      cards.map(async (card) =>
        card.status === 'current' && revoked && card.issuer && card.serialNumber && (await revoked(card.issuer, card.serialNumber).catch(() => undefined))
          ? { ...card, status: 'revoked' as const }
          : card,
      ),
    );
  }

  /** The resident unlinks their card: every card of theirs is forgotten. */
  async unlink(accountId: string, personId: string): Promise<void> {
    await this.#d.db.transaction(async (trx) => {
      if ((await forgetCards(trx, personId)) > 0) await appendAudit(trx, { actorAccountId: accountId, action: 'identity.card_unlinked', personId });
    });
  }
}
