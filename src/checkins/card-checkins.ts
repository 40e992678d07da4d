/**
 * Card-only check-in (no PASS account needed): the kiosk asks for a challenge, the My Number Card
 * signs it with its user-authentication key after the 4-digit PIN (JPKI.md §2.5), read by the kiosk
 * page through its card bridge (docs/card.md; the simulator's in development), and PASS verifies the certificate chain, the signature and revocation. The card is
 * known by a keyed hash of its certificate's issuer and serial number (never the serial itself):
 * the card a person holds (identity's card links: read at proofing, or linked later with proof that
 * the card is the person's own, src/identity/proofing/card-binding.ts) checks in as that person;
 * any other card — a stranger's, a replaced one — is an anonymous card check-in, and a revoked one
 * is refused. What the card itself refused at the kiosk (a wrong PIN, a locked PIN, the card taken
 * off mid-sequence: the kiosk page reads the status words) is recorded as a refusal the same way,
 * so staff see it; PASS never learns the PIN, only that the card said no.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.ts';
import { createChallenge } from '../jpki/challenge-format.ts';
import { parseCertificate } from '../jpki/certificate.ts';
import { formatName } from '../jpki/distinguished-name.ts';
import type { JpkiVerifier } from '../jpki/index.ts';
import { PassError } from '../core/errors.ts';
import type { TransientStore } from '../identity/proofing/transient-store.ts';
import { bindCard, cardHolder, cardKeyOf } from '../identity/proofing/card-links.ts';

/** What the card said at the kiosk, before there was a proof to verify. */
export const READER_REFUSALS = ['wrong_pin', 'pin_locked', 'card_removed'] as const;
export type ReaderRefusal = (typeof READER_REFUSALS)[number];

export type CardRefusal = 'card_revoked' | 'card_invalid' | 'challenge_expired' | ReaderRefusal;

export class CardRefused extends Error {
  readonly reason: CardRefusal;
  constructor(reason: CardRefusal) {
    super(reason);
    this.reason = reason;
  }
}

export interface SignedCardProof {
  challengeId: string;
  certificate: Uint8Array;
  signature: Uint8Array;
}

/** One card attempt at the kiosk: the card's signed answer, or the card's refusal. */
export type CardProof = SignedCardProof | { readerRefusal: ReaderRefusal };

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
    return cardKeyOf(this.#hashKey, issuer, serialNumber);
  }

  /** A fresh challenge for one kiosk, single use, valid for ttlSeconds. */
  async challenge(kioskId: string, now = new Date()): Promise<{ challengeId: string; challenge: Uint8Array; expiresAt: Date }> {
    const challengeId = randomBytes(16).toString('base64url');
    const challenge = createChallenge({ purpose: 'user_authentication', client: kioskId, account: '', issuedAt: now });
    await this.#store.put(`${KEY_PREFIX}${challengeId}`, JSON.stringify({ kioskId, challenge: Buffer.from(challenge).toString('base64') }), this.ttlSeconds);
    return { challengeId, challenge, expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000) };
  }

  /** Verifies the card's answer; the card's key, and the person holding the card when there is one. */
  async verify(kioskId: string, proof: CardProof): Promise<{ cardKey: string; personId: string | undefined }> {
    if ('readerRefusal' in proof) throw new CardRefused(proof.readerRefusal);
    const stored = await this.#store.take(`${KEY_PREFIX}${proof.challengeId}`);
    if (!stored) throw new CardRefused('challenge_expired');
    const { kioskId: issuedTo, challenge } = JSON.parse(stored) as { kioskId: string; challenge: string };
    if (issuedTo !== kioskId) throw new CardRefused('card_invalid');
    const cardKey = await this.#verifyProof(challenge, proof);
    return { cardKey, personId: await this.linkedPerson(cardKey) };
  }

  /** Verifies a user-authentication proof over a stored challenge; the card's key, or a refusal. */
  async #verifyProof(stored: string, proof: SignedCardProof): Promise<string> {
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

  /** The person holding the card now; undefined for a card nobody holds, or one replaced. */
  async linkedPerson(cardKey: string): Promise<string | undefined> {
    return cardHolder(this.#db, cardKey);
  }

  /**
   * Makes a card's user-authentication certificate a person's without any proof: for the
   * development seed (the demo resident's virtual card) and tests. Residents link through
   * identity's card binding, which asks for proof that the card is theirs.
   */
  async link(personId: string, certificateDer: Uint8Array): Promise<string> {
    const certificate = parseCertificate(certificateDer);
    const issuer = formatName(certificate.issuer);
    const cardKey = this.cardKey(issuer, certificate.serialNumber);
    const facts = { issuer, serialNumber: certificate.serialNumber, fingerprint: certificate.sha256, notBefore: certificate.notBefore, notAfter: certificate.notAfter };
    await this.#db.transaction((trx) => bindCard(trx, personId, cardKey, facts, 'seed'));
    return cardKey;
  }
}
