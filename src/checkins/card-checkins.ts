/**
 * Card-only check-in (no PASS account needed): the kiosk asks for a challenge, the My Number Card
 * signs it with its user-authentication key after the 4-digit PIN (JPKI.md §2.5; a virtual card in
 * development), and PASS verifies the certificate chain, the signature and revocation. The card is
 * known by a keyed hash of its certificate's issuer and serial number (never the serial itself):
 * a card linked to a person (card_links) checks in as that person; any other card is an anonymous
 * card check-in.
 *
 * Linking: a resident proofed with the card's signature certificate links the same card's
 * user-authentication certificate by having the card sign a link challenge with that key (the
 * 4-digit PIN). The certificate alone is readable without a PIN, so possession is what makes the
 * link: nobody can link another resident's card to themselves by copying its certificate. A
 * revoked card is refused; a person keeps one linked card (a new card replaces the old link).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { createChallenge } from '../jpki/challenge-format.ts';
import { parseCertificate } from '../jpki/certificate.ts';
import { formatName } from '../jpki/distinguished-name.ts';
import type { JpkiVerifier } from '../jpki/index.ts';
import { ForbiddenError, InvalidInputError, PassError } from '../core/errors.ts';
import type { TransientStore } from '../identity/proofing/transient-store.ts';
import { currentProofMethod } from '../identity/verified-persons.ts';

export type CardRefusal = 'card_revoked' | 'card_invalid' | 'challenge_expired';

export class CardRefused extends Error {
  readonly reason: CardRefusal;
  constructor(reason: CardRefusal) {
    super(reason);
    this.reason = reason;
  }
}

export interface CardProof {
  challengeId: string;
  certificate: Uint8Array;
  signature: Uint8Array;
}

const KEY_PREFIX = 'kiosk-card:';
const LINK_PREFIX = 'card-link:';

export interface CardLink {
  cardKey: string;
  linkedAt: Date;
}

/** Why a card could not be linked: the HTTP edge shows the reason's message. */
function linkRefusal(reason: CardRefusal | 'not_proofed'): PassError {
  if (reason === 'card_revoked' || reason === 'not_proofed') {
    return new ForbiddenError(reason, reason === 'card_revoked' ? 'the card is revoked' : 'identity proofing with the My Number Card comes first');
  }
  return new InvalidInputError(reason, reason === 'challenge_expired' ? 'the challenge is unknown, expired or already used' : 'the card could not be verified');
}

export class CardCheckins {
  readonly #db: Database;
  readonly #store: TransientStore;
  readonly #verifier: () => JpkiVerifier | undefined;
  readonly #hashKey: string;
  readonly ttlSeconds: number;

  constructor(options: { db: Database; store: TransientStore; verifier: () => JpkiVerifier | undefined; hashKey: string; ttlSeconds?: number }) {
    this.#db = options.db;
    this.#store = options.store;
    this.#verifier = options.verifier;
    this.#hashKey = options.hashKey;
    this.ttlSeconds = options.ttlSeconds ?? 120;
  }

  cardKey(issuer: string, serialNumber: string): string {
    return createHmac('sha256', this.#hashKey).update(`jpki-auth-card\0${issuer}\0${serialNumber.toLowerCase()}`).digest('hex');
  }

  /** A fresh challenge for one kiosk, single use, valid for ttlSeconds. */
  async challenge(kioskId: string, now = new Date()): Promise<{ challengeId: string; challenge: Uint8Array; expiresAt: Date }> {
    const challengeId = randomBytes(16).toString('base64url');
    const challenge = createChallenge({ purpose: 'user_authentication', client: kioskId, account: '', issuedAt: now });
    await this.#store.put(`${KEY_PREFIX}${challengeId}`, JSON.stringify({ kioskId, challenge: Buffer.from(challenge).toString('base64') }), this.ttlSeconds);
    return { challengeId, challenge, expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000) };
  }

  /** Verifies the card's answer; the card's key, and the linked person when there is one. */
  async verify(kioskId: string, proof: CardProof): Promise<{ cardKey: string; personId: string | undefined }> {
    const stored = await this.#store.take(`${KEY_PREFIX}${proof.challengeId}`);
    if (!stored) throw new CardRefused('challenge_expired');
    const { kioskId: issuedTo, challenge } = JSON.parse(stored) as { kioskId: string; challenge: string };
    if (issuedTo !== kioskId) throw new CardRefused('card_invalid');
    const cardKey = await this.#verifyProof(challenge, proof);
    return { cardKey, personId: await this.linkedPerson(cardKey) };
  }

  /** Verifies a user-authentication proof over a stored challenge; the card's key, or a refusal. */
  async #verifyProof(stored: string | undefined, proof: CardProof): Promise<string> {
    if (!stored) throw new CardRefused('challenge_expired');
    const verifier = this.#verifier();
    if (!verifier) throw new PassError('unavailable', 'card_unavailable', 'card verification is not available');
    try {
      const result = await verifier.verifyAuthenticationProof({ certificate: proof.certificate, signature: proof.signature, challenge: new Uint8Array(Buffer.from(stored, 'base64')) });
      return this.cardKey(result.certificate.issuer, result.certificate.serialNumber);
    } catch (error) {
      if ((error as PassError).code === 'unavailable') throw error;
      throw new CardRefused((error as { reason?: string }).reason === 'certificate_revoked' ? 'card_revoked' : 'card_invalid');
    }
  }

  /** A challenge for the resident's card to sign when linking it (single use, bound to the account). */
  async linkChallenge(accountId: string, clientId: string, now = new Date()): Promise<{ challengeId: string; challenge: Uint8Array; expiresAt: Date }> {
    const challengeId = randomBytes(16).toString('base64url');
    const challenge = createChallenge({ purpose: 'user_authentication', client: clientId, account: accountId, issuedAt: now });
    await this.#store.put(`${LINK_PREFIX}${accountId}:${challengeId}`, Buffer.from(challenge).toString('base64'), this.ttlSeconds);
    return { challengeId, challenge, expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000) };
  }

  /**
   * Links the card that signed the link challenge to the account's own person, who must be proofed
   * with the signature certificate. Throws typed refusals: not_proofed, challenge_expired,
   * card_invalid, card_revoked.
   */
  async linkProven(accountId: string, personId: string, proof: CardProof): Promise<CardLink> {
    // Used up first, whatever follows, like every JPKI challenge; another account's challenge is not found.
    const stored = await this.#store.take(`${LINK_PREFIX}${accountId}:${proof.challengeId}`);
    if (!(await this.#proofed(personId))) throw linkRefusal('not_proofed');
    let cardKey: string;
    try {
      cardKey = await this.#verifyProof(stored, proof);
    } catch (error) {
      if (error instanceof CardRefused) throw linkRefusal(error.reason);
      throw error;
    }
    await this.#replaceLink(personId, cardKey);
    return (await this.linkOf(personId))!;
  }

  async linkOf(personId: string): Promise<CardLink | undefined> {
    const row = (await this.#db('card_links').where({ person_id: personId }).orderBy('created_at', 'desc').first('card_key', 'created_at')) as
      | { card_key: string; created_at: Date }
      | undefined;
    return row ? { cardKey: row.card_key, linkedAt: new Date(row.created_at) } : undefined;
  }

  async unlink(personId: string): Promise<boolean> {
    return (await this.#db('card_links').where({ person_id: personId }).delete()) > 0;
  }

  async #proofed(personId: string): Promise<boolean> {
    return (await currentProofMethod(this.#db, personId)) === 'jpki_signature';
  }

  async #replaceLink(personId: string, cardKey: string): Promise<void> {
    await this.#db.transaction(async (trx) => {
      await trx('card_links').where({ person_id: personId }).whereNot({ card_key: cardKey }).delete();
      await trx('card_links').insert({ card_key: cardKey, person_id: personId, created_at: trx.fn.now() }).onConflict('card_key').merge(['person_id', 'created_at']);
    });
  }

  async linkedPerson(cardKey: string): Promise<string | undefined> {
    const row = (await this.#db('card_links').where({ card_key: cardKey }).first('person_id')) as { person_id: string } | undefined;
    return row?.person_id;
  }

  /**
   * Links a card's user-authentication certificate to a person without proof of possession: for
   * the development seed (the demo resident's virtual card) and tests. Residents link with linkProven.
   */
  async link(personId: string, certificateDer: Uint8Array): Promise<string> {
    const certificate = parseCertificate(certificateDer);
    const cardKey = this.cardKey(formatName(certificate.issuer), certificate.serialNumber);
    await this.#db('card_links').insert({ card_key: cardKey, person_id: personId }).onConflict('card_key').merge(['person_id']);
    return cardKey;
  }
}
