/**
 * The card step of a step-up sign-in (acr urn:pass:acr:jpki-sign): the resident's My Number Card
 * signs a fresh challenge with its signature certificate, and PASS verifies it like a proof of
 * identity (chain, validity, policy, revocation — src/jpki) and checks that the card belongs to
 * the person bound to the account (the same keyed person hash as proofing). A renewed card of the
 * same person works; another person's card never does. The PIN is checked by the card, not here.
 */
import type { Database } from '../../db/database.ts';
import { basicFourHash, createChallenge } from '../../jpki/index.ts';
import type { JpkiVerifier } from '../../jpki/index.ts';
import { ProofingForbiddenError } from './errors.ts';
import { personHashKey } from './proofing-service.ts';

export interface CardProof {
  certificate: Uint8Array;
  signature: Uint8Array;
  intermediates?: Uint8Array[];
}

export interface CardStepUpDeps {
  db: Database;
  /** The running JPKI verifier; undefined when the proofing capability is not up. */
  verifier: () => JpkiVerifier | undefined;
  identityHashKey: string;
}

export class CardStepUp {
  readonly #d: CardStepUpDeps;
  readonly #hashKey: Uint8Array;

  constructor(deps: CardStepUpDeps) {
    this.#d = deps;
    this.#hashKey = personHashKey(deps.identityHashKey);
  }

  async #boundKey(accountId: string): Promise<string | undefined> {
    const row = (await this.#d
      .db('persons as p')
      .join('person_identities as pi', 'pi.person_id', 'p.id')
      .join('identity_verifications as v', 'v.id', 'pi.current_verification_id')
      .where({ 'p.account_id': accountId, 'p.relation': 'self', 'v.method': 'jpki_signature' })
      .first('pi.person_key')) as { person_key: string } | undefined;
    return row?.person_key;
  }

  /** Can this account do the card step: proofed with a signature certificate, and a verifier running? */
  async available(accountId: string): Promise<boolean> {
    return Boolean(this.#d.verifier()) && (await this.#boundKey(accountId)) !== undefined;
  }

  /** The bytes the card signs: bound to the relying party and the account, never reusable elsewhere. */
  challenge(accountId: string, clientId: string): Uint8Array {
    return createChallenge({ purpose: 'user_authentication', client: clientId, account: accountId, issuedAt: new Date() });
  }

  /** Verifies the card's signature over `challenge` and that the card is the account's person's. */
  async verify(accountId: string, challenge: Uint8Array, proof: CardProof): Promise<{ serialNumber: string }> {
    const verifier = this.#d.verifier();
    const bound = await this.#boundKey(accountId);
    if (!verifier || !bound) throw new ProofingForbiddenError('no_account', 'this account has no identity proofed with a signature certificate');
    const verified = await verifier.verifySignatureProof({ ...proof, challenge });
    if (basicFourHash(verified.basicFour, { key: this.#hashKey, includeAddress: false }) !== bound) {
      throw new ProofingForbiddenError('identity_mismatch', 'the card belongs to another person than the one bound to this PASS ID');
    }
    return { serialNumber: verified.certificate.serialNumber };
  }
}
