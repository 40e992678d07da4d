/**
 * Card-only check-in (no PASS account needed): the kiosk asks for a challenge, the My Number Card
 * signs it with its user-authentication key after the 4-digit PIN (JPKI.md §2.5; a virtual card in
 * development), and PASS verifies the certificate chain, the signature and revocation. The card is
 * known by a keyed hash of its certificate's issuer and serial number (never the serial itself):
 * a card linked to a person (card_links, made when the resident links the card) checks in as that
 * person; any other card is an anonymous card check-in.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { createChallenge } from '../jpki/challenge-format.ts';
import { parseCertificate } from '../jpki/certificate.ts';
import { formatName } from '../jpki/distinguished-name.ts';
import type { JpkiVerifier } from '../jpki/index.ts';
import { PassError } from '../core/errors.ts';
import type { TransientStore } from '../identity/proofing/transient-store.ts';

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
    const verifier = this.#verifier();
    if (!verifier) throw new PassError('unavailable', 'card_unavailable', 'card verification is not available');
    try {
      const result = await verifier.verifyAuthenticationProof({ certificate: proof.certificate, signature: proof.signature, challenge: new Uint8Array(Buffer.from(challenge, 'base64')) });
      const cardKey = this.cardKey(result.certificate.issuer, result.certificate.serialNumber);
      return { cardKey, personId: await this.linkedPerson(cardKey) };
    } catch (error) {
      const reason = (error as { reason?: string }).reason;
      if ((error as PassError).code === 'unavailable') throw error;
      throw new CardRefused(reason === 'certificate_revoked' ? 'card_revoked' : 'card_invalid');
    }
  }

  async linkedPerson(cardKey: string): Promise<string | undefined> {
    const row = (await this.#db('card_links').where({ card_key: cardKey }).first('person_id')) as { person_id: string } | undefined;
    return row?.person_id;
  }

  /**
   * Links a card's user-authentication certificate (EF 000A, readable without a PIN) to a person.
   * Proofing calls it when the app has read the certificate; the development seed links the demo card.
   */
  async link(personId: string, certificateDer: Uint8Array): Promise<string> {
    const certificate = parseCertificate(certificateDer);
    const cardKey = this.cardKey(formatName(certificate.issuer), certificate.serialNumber);
    await this.#db('card_links').insert({ card_key: cardKey, person_id: personId }).onConflict('card_key').merge(['person_id']);
    return cardKey;
  }
}
