/**
 * Kiosk-assisted enrollment (issue 16, "誰一人取り残さない"): a member the representative
 * pre-registered (preregistrations.ts) completes proofing at a municipal kiosk with their My Number
 * Card, the 4-digit PIN and their live face. The kiosk page reads the card through its bridge —
 * the user-authentication certificate and its signature over PASS's challenge, the text-input-support
 * AP (its J-LIS-signed basic four, and the card AP key's signature over the same challenge) and the
 * 券面AP's surface record with the photo. First it asks PASS whose household the card's holder would
 * join (`preview`: steps 2–5 on the challenge without spending it); the member sees the
 * representative's name and the relation and confirms. Only then the camera, and the final step
 * with one live frame and the preview's confirmation token. PASS:
 *   1. takes the challenge (single use, this kiosk's) and the confirmation (single use, bound to
 *      this kiosk, this challenge, this card and this pre-registration: kiosk_enrollment_not_confirmed);
 *   2. verifies the certificate chain, the signature and revocation (card_revoked, card_invalid);
 *   3. verifies the text AP (text_ap_invalid) and that the surface record's birthdate and sex are
 *      the text AP's (card_data_mismatch);
 *   4. finds the pending, unexpired pre-registration of that name and birthdate — the one the member
 *      confirmed, or the attempt is refused (a pre-registration swapped in after the preview);
 *   5. checks the household rules for the new member (household-service.ts);
 *   6. compares the live face with the card photo (face_not_card_holder: nothing stored);
 *   7. in one transaction: the member as a verified person of the household (identity's writer), the
 *      card linked for check-in (its text AP shows it is the person's: card-binding.ts's rule), the
 *      pre-registration completed, audited;
 *   8. enrolls the live face as the member's template. The face service keeps its own transaction,
 *      so a face it refuses (someone else's enrolled face, say) undoes step 7 and says why.
 * The card photo is compared and dropped: never stored or logged. No PIN reaches PASS.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from '../core/logger.ts';
import type { SecretBox } from '../core/secret-box.ts';
import type { Database } from '../db/database.ts';
import { PassError } from '../core/errors.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { createChallenge } from '../jpki/index.ts';
import type { JpkiVerifier } from '../jpki/index.ts';
import { deletePerson } from '../identity/persons.ts';
import { bindCard, cardKeyOf } from '../identity/proofing/card-links.ts';
import { cardCertificateOf, verifyCardAuthentication, type SignedProof } from '../identity/proofing/card-proof.ts';
import type { TransientStore } from '../identity/proofing/transient-store.ts';
import { photoFormatOf } from '../card/surface-record.ts';
import { FACE_REASONS } from '../face/messages.ts';
import { FamilyError } from './errors.ts';
import type { HouseholdService, MemberRelation } from './household-service.ts';
import type { MemberProofing } from './member-proofing.ts';
import type { Preregistrations } from './preregistrations.ts';
import type { TextApRead } from './text-ap/verify.ts';

/** What the face capability answers for a live face against the card photo (FaceService.compareWithCardPhoto). */
export interface CardPhotoComparison {
  matched: boolean;
  score: number;
  threshold: number;
  presentationAttack?: { status: string; score?: number; method?: string };
}

export interface EnrollmentFace {
  compareWithCardPhoto(cardPhoto: Uint8Array, live: Uint8Array): Promise<CardPhotoComparison>;
  enroll(personId: string, photo: Uint8Array, actor?: { accountId: string }): Promise<unknown>;
  personRemoved(personId: string): Promise<void>;
}

export interface KioskEnrollmentDeps {
  db: Database;
  box: SecretBox;
  store: TransientStore;
  households: HouseholdService;
  proofing: MemberProofing;
  preregistrations: Preregistrations;
  verifier: () => JpkiVerifier | undefined;
  /** Undefined while the face models (or the card-photo comparison) are not running. */
  face: () => EnrollmentFace | undefined;
  identityHashKey: string;
  /** The kiosk's OAuth client, named in the stored proof. */
  clientId: string;
  log: Logger;
  ttlSeconds?: number;
}

/** What the card signed over the challenge, and the surface record's facts checked against it. */
export interface KioskCardRead {
  challengeId: string;
  authentication: SignedProof;
  textAp: TextApRead;
  /** From the 券面AP's surface record: YYYYMMDD, one digit. */
  surface: { birthdate: string; sex: string };
}

export interface KioskEnrollmentInput extends KioskCardRead {
  /** The surface record's JPEG 2000 photo too. */
  surface: { birthdate: string; sex: string; photo: Uint8Array };
  /** One camera frame (JPEG or PNG). */
  live: Uint8Array;
  /** The preview's token, sent only after the member confirmed whose household they join. */
  confirmation: string | undefined;
}

/** Whose household the card's holder would join: shown to the member before anything is stored. */
export interface KioskEnrollmentPreview {
  representativeName: string;
  relation: MemberRelation;
  expiresAt: Date;
  confirmation: string;
}

export interface KioskEnrolled {
  personId: string;
  householdId: string;
  relation: string;
  name: string;
  givenName: string | undefined;
  representativeName: string;
  cardLinked: boolean;
}

interface Confirmation {
  kioskId: string;
  challengeId: string;
  preregistrationId: string;
  cardKey: string;
}

const KEY_PREFIX = 'kiosk-enroll:';
const CONFIRMATION_PREFIX = 'kiosk-enroll-confirmation:';
/** The store holds a hash: a row read from it cannot be replayed as the token. */
const confirmationKey = (token: string) => `${CONFIRMATION_PREFIX}${createHash('sha256').update(token).digest('base64url')}`;

/** The sex as the person key hashes it: 1, 2, or 3 for not recorded. */
const sexCodeOf = (digit: string) => (digit === '1' || digit === '2' ? digit : '3');

export class KioskEnrollment {
  readonly #d: KioskEnrollmentDeps;
  readonly ttlSeconds: number;

  constructor(deps: KioskEnrollmentDeps) {
    this.#d = deps;
    // The resident types a PIN and faces the camera in between: longer than a check-in's challenge.
    this.ttlSeconds = deps.ttlSeconds ?? 300;
  }

  async challenge(kioskId: string, now = new Date()): Promise<{ challengeId: string; challenge: Uint8Array; expiresAt: Date }> {
    const challengeId = randomBytes(16).toString('base64url');
    const challenge = createChallenge({ purpose: 'identity_proofing', client: kioskId, account: '', issuedAt: now });
    await this.#d.store.put(`${KEY_PREFIX}${challengeId}`, JSON.stringify({ kioskId, challenge: Buffer.from(challenge).toString('base64') }), this.ttlSeconds);
    return { challengeId, challenge, expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000) };
  }

  /**
   * Steps 2–5 on the challenge without spending it: whose pre-registration the card's holder would
   * complete, and a single-use confirmation token for the final step. Nothing is stored but the
   * token's record, which lives no longer than the challenge.
   */
  async preview(kiosk: { id: string }, input: KioskCardRead): Promise<KioskEnrollmentPreview> {
    const challenge = await this.#challenge(kiosk.id, input.challengeId, 'peek');
    // Told before the member confirms, not after the camera.
    if (!this.#d.face()) throw new FamilyError('kiosk_enrollment_unavailable');
    const card = await this.#verifiedCard(challenge, input);
    const representativeName = await this.#d.preregistrations.representativeName(card.pre);
    const confirmation = randomBytes(32).toString('base64url');
    const record: Confirmation = { kioskId: kiosk.id, challengeId: input.challengeId, preregistrationId: card.pre.id, cardKey: card.cardKey };
    await this.#d.store.put(confirmationKey(confirmation), JSON.stringify(record), this.ttlSeconds);
    return { representativeName, relation: card.pre.relation, expiresAt: card.pre.expiresAt, confirmation };
  }

  async enroll(kiosk: { id: string; facilityId: string }, input: KioskEnrollmentInput): Promise<KioskEnrolled> {
    // 1. Both used up by any attempt, like every card challenge.
    const challenge = await this.#challenge(kiosk.id, input.challengeId, 'take');
    const confirmed = input.confirmation ? await this.#d.store.take(confirmationKey(input.confirmation)) : undefined;
    const confirmation = confirmed ? (JSON.parse(confirmed) as Confirmation) : undefined;
    if (!confirmation || confirmation.kioskId !== kiosk.id || confirmation.challengeId !== input.challengeId) throw new FamilyError('kiosk_enrollment_not_confirmed');
    if (!photoFormatOf(input.surface.photo)) throw new FamilyError('card_data_mismatch', { field: 'photo' });

    // 2–5. The card, whose pre-registration, the household's rules.
    const { auth, text, pre, member, cardKey } = await this.#verifiedCard(challenge, input);
    if (cardKey !== confirmation.cardKey || pre.id !== confirmation.preregistrationId) {
      // Another card, or the pre-registration changed since the member confirmed (cancelled, another household's now).
      await this.#refused(kiosk, pre, 'kiosk_enrollment_not_confirmed', { confirmedPreregistrationId: confirmation.preregistrationId, sameCard: cardKey === confirmation.cardKey });
      throw new FamilyError('kiosk_enrollment_not_confirmed');
    }
    const representativeName = await this.#d.preregistrations.representativeName(pre);

    // 6. The live face against the card photo; the photo goes no further than this call.
    const face = this.#d.face();
    if (!face) throw new FamilyError('kiosk_enrollment_unavailable');
    const compared = await face.compareWithCardPhoto(input.surface.photo, input.live);
    if (compared.presentationAttack?.status === 'attack') throw new FamilyError('kiosk_face_not_live');
    if (!compared.matched) {
      await this.#refused(kiosk, pre, 'face_not_card_holder');
      // Nothing was stored.
      throw FACE_REASONS.refuse('face_not_card_holder', 'the live face does not match the card photo');
    }

    // 7. One transaction: the verified member, the card, the pre-registration.
    const now = new Date();
    const cardCertificate = cardCertificateOf(auth);
    const verifiedAt = `${now.toISOString().slice(0, 19)}Z`;
    const added = await this.#d.households.addMember(
      pre.representativeAccountId,
      {
        ...member,
        evidence: {
          issuer: `text-ap:${text.issuerKeyId}`,
          serialNumber: text.cardKeyId,
          verifiedAt,
          // The text AP has no revocation list; the same card's user-authentication certificate does, and was checked.
          revocation: { status: auth.revocation.status, method: auth.revocation.method, checkedAt: `${auth.revocation.checkedAt.toISOString().slice(0, 19)}Z`, source: auth.revocation.source },
        },
        certificateNotAfter: auth.certificate.notAfter,
        anchorEnvironment: text.environment,
        clientId: this.#d.clientId,
      },
      async (trx, { householdId, personId }) => {
        await bindCard(trx, personId, cardKey, cardCertificate, 'text_ap');
        await this.#d.preregistrations.complete(trx, pre.id, personId);
        await appendAudit(trx, {
          actorAccountId: undefined,
          action: 'household.member_enrolled_at_kiosk',
          householdId,
          personId,
          facilityId: kiosk.facilityId,
          details: { preregistrationId: pre.id, kioskId: kiosk.id, relation: pre.relation, faceScore: Number(compared.score.toFixed(3)), threshold: compared.threshold, cardLinked: true },
        });
      },
    );

    // 8. The face template; a refusal undoes the member and reopens the pre-registration.
    try {
      await face.enroll(added.personId, input.live, { accountId: pre.representativeAccountId });
    } catch (error) {
      await this.#undo(pre.id, added, kiosk, error);
      throw error;
    }
    this.#d.log.info({ householdId: added.householdId, personId: added.personId, kioskId: kiosk.id }, 'household member enrolled at a kiosk');
    return { ...added, relation: pre.relation, name: text.claims.name, givenName: text.claims.given_name, representativeName, cardLinked: true };
  }

  /** This kiosk's challenge: `peek` leaves it for the final step, `take` spends it. */
  async #challenge(kioskId: string, challengeId: string, use: 'peek' | 'take'): Promise<Uint8Array> {
    const key = `${KEY_PREFIX}${challengeId}`;
    const stored = use === 'take' ? await this.#d.store.take(key) : await this.#d.store.peek(key);
    const parsed = stored ? (JSON.parse(stored) as { kioskId: string; challenge: string }) : undefined;
    if (!parsed || parsed.kioskId !== kioskId) throw new PassError('invalid_input', 'challenge_expired', 'the challenge is unknown, expired, used or another kiosk\'s');
    return new Uint8Array(Buffer.from(parsed.challenge, 'base64'));
  }

  /** Steps 2–5, the same for the preview and the final step. */
  async #verifiedCard(challenge: Uint8Array, input: KioskCardRead) {
    const verifier = this.#d.verifier();
    if (!verifier) throw new FamilyError('kiosk_enrollment_unavailable');
    const auth = await verifyCardAuthentication(verifier, input.authentication, challenge);
    const text = await this.#d.proofing.verifiedTextAp(input.textAp, challenge);
    const cardBirthdate = text.claims.birthdate.replaceAll('-', '');
    if (input.surface.birthdate !== cardBirthdate || sexCodeOf(input.surface.sex) !== text.sexCode) {
      throw new FamilyError('card_data_mismatch', { field: input.surface.birthdate !== cardBirthdate ? 'birthdate' : 'sex' });
    }
    const pre = await this.#d.preregistrations.forCard(text.claims.name, text.claims.birthdate);
    const member = { relation: pre.relation, method: 'jpki_kiosk' as const, personKey: text.personKey, claims: text.claims };
    await this.#d.households.checkNewMember(pre.representativeAccountId, member);
    const certificate = cardCertificateOf(auth);
    const cardKey = cardKeyOf(this.#d.identityHashKey, certificate.issuer, certificate.serialNumber);
    return { auth, text, pre, member, cardKey };
  }

  async #refused(kiosk: { id: string; facilityId: string }, pre: { id: string; householdId: string }, reason: string, more: Record<string, unknown> = {}): Promise<void> {
    await appendAudit(this.#d.db, {
      actorAccountId: undefined,
      action: 'household.kiosk_enrollment_refused',
      householdId: pre.householdId,
      facilityId: kiosk.facilityId,
      details: { preregistrationId: pre.id, reason, kioskId: kiosk.id, ...more },
    });
  }

  async #undo(preregistrationId: string, added: { householdId: string; personId: string }, kiosk: { id: string; facilityId: string }, error: unknown): Promise<void> {
    const reason = error instanceof PassError ? error.reason : 'error';
    await this.#d.db.transaction(async (trx) => {
      await appendAudit(trx, {
        actorAccountId: undefined,
        action: 'household.kiosk_enrollment_undone',
        householdId: added.householdId,
        personId: added.personId,
        facilityId: kiosk.facilityId,
        details: { preregistrationId, kioskId: kiosk.id, reason },
      });
      await deletePerson(trx, added.personId);
      await this.#d.preregistrations.reopen(trx, preregistrationId);
    });
    await this.#d.face()?.personRemoved(added.personId);
  }
}
