/**
 * Check-in by face, QR code, card or device code: find the person (or refuse with a reason),
 * check their registration and consent at the facility, record the check-in once under its
 * kiosk-made id, and answer with only what the facility's kiosk may show in public (its display
 * policy, display.ts; staff see the rest in PASS Manager). Refusals are recorded too and raise a
 * failure event for staff on the event bus (CHECKIN_FAILURES_CHANNEL).
 */
import type { EventBus } from '../core/event-bus.ts';
import type { Logger } from '../core/logger.ts';
import type { SecretBox } from '../core/secret-box.ts';
import { ConflictError, UnavailableError } from '../core/errors.ts';
import type { MunicipalityName } from '../claims/derive.ts';
import { FaceImageError, FaceQualityError } from '../face/errors.ts';
import type { FaceService } from '../face/service/face-service.ts';
import type { IdentityClaimsSource } from '../identity/proofing/claims-source.ts';
import { CardRefused, type CardCheckins, type CardProof } from './card-checkins.ts';
import { CredentialRefused, type CredentialCheckins, type CredentialRefusal } from './credential-checkins.ts';
import type { CheckinMethod, CheckinRecord, CheckinStore, Direction, ShownFacts } from './checkin-store.ts';
import { publicFacts, shownFacts, type KioskDisplaySource } from './display.ts';
import { residentOf } from '../claims/derive.ts';
import type { Emergencies } from './emergencies.ts';
import { checkinMessage, type CheckinMessage } from './messages.ts';
import { QrRefused, type QrTokens } from './qr-tokens.ts';
import { facilityGallery, municipalityGallery, type RegistrationLookup } from './registration-lookup.ts';
import type { Facility } from '../facilities/facility-store.ts';
import { NO_CHECKIN_METRICS, type CheckinMetrics } from './metrics.ts';
import { padDecision, type PadOutcome, type PadPolicySource } from './pad.ts';

export const CHECKIN_FAILURES_CHANNEL = 'checkin-failures';
/** Every recorded check-in, accepted or refused (CheckinRecordedEvent). */
export const CHECKINS_CHANNEL = 'checkins';
/** What a shelter shows in an emergency for a resident who consented to emergency use. */
const EMERGENCY_UNITS = ['name', 'age'];
const MAX_PAST_MS = 7 * 86400_000;
const MAX_FUTURE_MS = 5 * 60_000;

/** What a check-in needs of its facility (src/facilities). */
export type CheckinFacility = Pick<Facility, 'id' | 'municipalityCode' | 'kind'>;

export interface CheckinRequest {
  id: string;
  facility: CheckinFacility;
  kioskId: string | undefined;
  direction: Direction;
  /** When the kiosk captured it (a queued check-in replays later); clamped to a sane window. */
  occurredAt?: Date | undefined;
}

export interface CheckinView {
  id: string;
  result: 'accepted' | 'rejected';
  method: CheckinMethod;
  direction: Direction;
  facilityId: string;
  reason?: string;
  message: CheckinMessage;
  person?: ShownFacts;
  /** Anonymous card check-in: the card was verified but is linked to no registered person. */
  anonymous?: boolean;
  occurredAt: string;
  recordedAt: string;
  /** True when this id had been recorded before (a retry): the first answer is repeated. */
  replayed: boolean;
}

export interface CheckinFailureEvent {
  id: string;
  facilityId: string;
  kioskId: string | undefined;
  method: CheckinMethod;
  reason: string;
  at: string;
  /** PASS Manager kept a thumbnail of the photo (face check-ins of facilities that want one). */
  thumbnail?: boolean;
}

/** Keeps evidence of a refused face check-in before staff are told (PASS Manager's alert thumbnail); true when kept. */
export type FailureEvidence = (record: CheckinRecord, photo: Uint8Array) => Promise<boolean>;

export interface CheckinRecordedEvent {
  id: string;
  facilityId: string;
  kioskId: string | undefined;
  method: CheckinMethod;
  result: 'accepted' | 'rejected';
  direction: Direction;
  at: string;
}

interface Outcome {
  personId?: string | undefined;
  reason?: string | undefined;
  cardKey?: string | undefined;
  galleryId?: string | undefined;
  detailsSealed?: string | undefined;
  /** Shown as is (anonymous card check-in with the text AP's name). */
  shown?: ShownFacts | undefined;
  /** A face check-in's presentation-attack check, where the facility keeps it. */
  pad?: PadOutcome | undefined;
  /** A wallet presentation's digest: the presentation was checked, as a card's proof is. */
  presentationDigest?: string | undefined;
  /** Whether the visitor lives in the facility's municipality, when no person is known to ask (a presented resident_of). */
  resident?: boolean | undefined;
}

/** A wallet presentation as the kiosk verified it, or what the kiosk page refused it for. */
export type CredentialSubmission = { presentation: string; nonce: string; aud: string } | { refused: CredentialRefusal };

export interface CheckinServiceDeps {
  store: CheckinStore;
  lookup: RegistrationLookup;
  face: () => FaceService | undefined;
  identity: IdentityClaimsSource;
  qr: QrTokens;
  cards: CardCheckins;
  /** Wallet presentations (credential-checkins.ts); absent where no kiosk takes them. */
  credentials?: CredentialCheckins;
  emergencies: Emergencies;
  municipalities: () => Promise<MunicipalityName[]>;
  /** Keeps the photo of a refused face check-in before staff are told (PASS Manager's port). */
  evidence?: FailureEvidence;
  /** What each facility's kiosks may show in public (PASS Manager's per-facility setting). */
  display: KioskDisplaySource;
  /** Each facility's presentation-attack policy (src/facilities/pad-policy.ts), read at each face check-in. */
  padPolicy: PadPolicySource;
  bus: EventBus;
  box: SecretBox;
  log: Logger;
  /** Counts each check-in once, when it is first stored (src/checkins/metrics.ts). */
  metrics?: CheckinMetrics;
}

function clampTime(value: Date | undefined, now: Date): Date {
  if (!value || Number.isNaN(value.getTime())) return now;
  const t = value.getTime();
  return t < now.getTime() - MAX_PAST_MS || t > now.getTime() + MAX_FUTURE_MS ? now : value;
}

export function viewOf(record: CheckinRecord, replayed: boolean): CheckinView {
  const key = record.result === 'accepted' ? (record.direction === 'out' ? 'accepted_out' : 'accepted') : (record.reason ?? 'no_match');
  return {
    id: record.id,
    result: record.result,
    method: record.method,
    direction: record.direction,
    facilityId: record.facilityId,
    ...(record.reason ? { reason: record.reason } : {}),
    message: checkinMessage(key) ?? checkinMessage('no_match')!,
    ...(record.shown && Object.keys(record.shown).length ? { person: record.shown } : {}),
    ...((record.method === 'card' || record.method === 'credential') && record.result === 'accepted' && !record.personId ? { anonymous: true } : {}),
    occurredAt: record.occurredAt.toISOString(),
    recordedAt: record.recordedAt.toISOString(),
    replayed,
  };
}

export class CheckinService {
  readonly #d: CheckinServiceDeps;

  constructor(deps: CheckinServiceDeps) {
    this.#d = deps;
  }

  get store(): CheckinStore {
    return this.#d.store;
  }

  /** The earlier answer for a retried id; a check-in id is the kiosk's own. */
  async #previous(req: CheckinRequest): Promise<CheckinView | undefined> {
    const found = await this.#d.store.find(req.id);
    if (!found) return undefined;
    if (found.kioskId !== req.kioskId || found.facilityId !== req.facility.id) throw new ConflictError('checkin_id_conflict', 'this check-in id was used by another kiosk');
    return viewOf(found, true);
  }

  async #emergency(facility: CheckinFacility): Promise<boolean> {
    return facility.kind === 'shelter' && (await this.#d.emergencies.active(facility.municipalityCode));
  }

  /** The gallery a kiosk of this facility searches now. */
  async galleryFor(facility: CheckinFacility): Promise<string> {
    return (await this.#emergency(facility)) ? municipalityGallery(facility.municipalityCode) : facilityGallery(facility.id);
  }

  async face(req: CheckinRequest, photo: Uint8Array): Promise<CheckinView> {
    const previous = await this.#previous(req);
    if (previous) return previous;
    const face = this.#d.face();
    const galleryId = await this.galleryFor(req.facility);
    if (!face) throw new UnavailableError('face_unavailable', 'face recognition is not running on this node');
    try {
      const [result, policy] = await Promise.all([face.identify(galleryId, photo), this.#d.padPolicy(req.facility.id)]);
      const pad = padDecision(policy, result.presentationAttack);
      if (pad.refuse) return this.#conclude(req, 'face', { reason: pad.refuse, galleryId, pad: pad.keep }, photo);
      return this.#conclude(req, 'face', result.matched && result.best ? { personId: result.best.personId, galleryId, pad: pad.keep } : { reason: 'no_match', galleryId, pad: pad.keep }, photo);
    } catch (error) {
      // A poor photo is a refused check-in (retry message, failure event); a busy or missing model is not.
      if (error instanceof FaceQualityError || error instanceof FaceImageError) return this.#conclude(req, 'face', { reason: error.reason, galleryId }, photo);
      throw error;
    }
  }

  async qr(req: CheckinRequest, token: string): Promise<CheckinView> {
    const previous = await this.#previous(req);
    if (previous) return previous;
    try {
      const { personId, jti, expiresAt } = await this.#d.qr.verify(token);
      if (!(await this.#d.qr.consume(jti, expiresAt, req.id))) throw new QrRefused('qr_replayed');
      return this.#conclude(req, 'qr', { personId });
    } catch (error) {
      if (error instanceof QrRefused) return this.#conclude(req, 'qr', { reason: error.reason });
      throw error;
    }
  }

  async card(req: CheckinRequest, proof: CardProof, textAp?: { name?: string | undefined; birthdate?: string | undefined }): Promise<CheckinView> {
    const previous = await this.#previous(req);
    if (previous) return previous;
    try {
      const { cardKey, personId } = await this.#d.cards.verify(req.kioskId ?? '', proof);
      const registered = personId ? (await this.#access(req.facility, personId)).registered : false;
      if (registered) return this.#conclude(req, 'card', { personId, cardKey });
      // No registered person behind the card: an anonymous card check-in (no person recorded).
      const details = textAp && (textAp.name || textAp.birthdate) ? this.#d.box.seal(JSON.stringify(textAp), `checkin:${req.id}`) : undefined;
      return this.#conclude(req, 'card', { cardKey, detailsSealed: details, shown: textAp?.name ? { name: textAp.name } : {} });
    } catch (error) {
      if (error instanceof CardRefused) return this.#conclude(req, 'card', { reason: error.reason });
      throw error;
    }
  }

  /**
   * A wallet presentation the kiosk verified (perhaps offline, perhaps long ago): verified again with
   * a status list fetched now. The holder of a credential registered here checks in as themselves;
   * anyone else is a verified visitor known by what they presented (kept sealed for staff), like
   * an unlinked card. One presentation makes one check-in, whatever id it is sent under.
   */
  async credential(req: CheckinRequest, submitted: CredentialSubmission): Promise<CheckinView> {
    const previous = await this.#previous(req);
    if (previous) return previous;
    if ('refused' in submitted) return this.#conclude(req, 'credential', { reason: submitted.refused });
    const verifier = this.#d.credentials;
    if (!verifier) throw new UnavailableError('wallet_unavailable', 'credential check-in is not available');
    try {
      const found = await verifier.verify({ ...submitted, kioskId: req.kioskId ?? '', facilityKind: req.facility.kind, at: clampTime(req.occurredAt, new Date()) });
      if (await this.#d.store.presentationUsedBy(found.digest, req.id)) throw new CredentialRefused('presentation_replayed');
      const registered = found.personId ? (await this.#access(req.facility, found.personId)).registered : false;
      if (registered) return await this.#conclude(req, 'credential', { personId: found.personId, presentationDigest: found.digest });
      const name = typeof found.claims.name === 'string' ? found.claims.name : undefined;
      const residentOf = typeof found.claims.resident_of === 'string' ? found.claims.resident_of : undefined;
      const presented = { ...(name ? { name } : {}), ...(residentOf ? { resident_of: residentOf } : {}) };
      return await this.#conclude(req, 'credential', {
        presentationDigest: found.digest,
        detailsSealed: Object.keys(presented).length ? this.#d.box.seal(JSON.stringify(presented), `checkin:${req.id}`) : undefined,
        shown: { ...(name ? { name } : {}), ...(residentOf ? { resident: residentOf === req.facility.municipalityCode } : {}) },
        resident: residentOf ? residentOf === req.facility.municipalityCode : undefined,
      });
    } catch (error) {
      if (error instanceof CredentialRefused) return this.#conclude(req, 'credential', { reason: error.reason });
      // Two ids raced with one presentation: the unique digest let one through.
      if ((error as { code?: string }).code === '23505' && /presentation_digest/.test(String((error as { constraint?: string }).constraint ?? (error as Error).message))) {
        return this.#conclude(req, 'credential', { reason: 'presentation_replayed' });
      }
      throw error;
    }
  }

  /** The resident signed in on their phone after scanning a code; personId is their own person. */
  async deviceCode(req: CheckinRequest, personId: string): Promise<CheckinView> {
    const previous = await this.#previous(req);
    if (previous) return previous;
    return this.#conclude(req, 'device-code', { personId });
  }

  async #access(facility: CheckinFacility, personId: string): Promise<{ registered: boolean; units: string[] }> {
    const access = await this.#d.lookup.facilityAccess(personId, facility.id);
    if (access.registered || !(await this.#emergency(facility))) return access;
    return (await this.#d.lookup.emergencyConsent(personId, facility.municipalityCode)) ? { registered: true, units: EMERGENCY_UNITS } : access;
  }

  /** The person's facts within these consent units, and whether they live in the facility's municipality (analytics). */
  async #consented(facility: CheckinFacility, personId: string, units: readonly string[], now: Date): Promise<{ facts: ShownFacts; resident: boolean | undefined }> {
    const municipalities = await this.#d.municipalities();
    const claims = (await this.#d.identity.getVerifiedClaims(personId))?.claims;
    const facts = claims ? { name: claims.name, birthdate: claims.birthdate, address: claims.address?.formatted } : undefined;
    return {
      facts: shownFacts(units, facts, facility.municipalityCode, municipalities, now),
      resident: facts?.address ? residentOf(facts.address, municipalities) === facility.municipalityCode : undefined,
    };
  }

  /**
   * What the facility's staff may see now of whoever a stored check-in brought in (PASS Manager),
   * not narrowed by the kiosk's public display policy: a person's consent units there (or the
   * emergency units at a shelter), nothing without consent; or the name an anonymous card
   * check-in kept sealed from the card's text AP.
   */
  async staffFacts(facility: CheckinFacility, checkin: { id: string; personId: string | null; detailsSealed: string | null }, now = new Date()): Promise<ShownFacts> {
    if (!checkin.personId) {
      if (!checkin.detailsSealed) return {};
      const details = JSON.parse(this.#d.box.openText(checkin.detailsSealed, `checkin:${checkin.id}`)) as { name?: unknown };
      return typeof details.name === 'string' ? { name: details.name } : {};
    }
    const access = await this.#access(facility, checkin.personId);
    return access.registered ? (await this.#consented(facility, checkin.personId, access.units, now)).facts : {};
  }

  async #conclude(req: CheckinRequest, method: CheckinMethod, outcome: Outcome, photo?: Uint8Array): Promise<CheckinView> {
    const now = new Date();
    let { reason, shown } = outcome;
    let personId = outcome.personId;
    let resident: boolean | undefined = outcome.resident;
    if (personId && !reason) {
      const access = await this.#access(req.facility, personId);
      // A card's or a presentation's registration was checked when it was read.
      if (!access.registered && !outcome.cardKey && !outcome.presentationDigest) {
        reason = 'not_registered';
        personId = undefined;
      } else {
        ({ facts: shown, resident } = await this.#consented(req.facility, personId, access.units, now));
      }
    }
    // The kiosk's screen is public: only what the facility's display policy allows is shown, and kept.
    if (shown && !reason) shown = publicFacts(shown, await this.#d.display(req.facility.id));
    const { record, created } = await this.#d.store.record({
      id: req.id,
      facilityId: req.facility.id,
      kioskId: req.kioskId,
      method,
      result: reason ? 'rejected' : 'accepted',
      reason,
      personId: reason ? undefined : personId,
      cardKey: reason ? undefined : outcome.cardKey,
      direction: req.direction,
      galleryId: outcome.galleryId,
      detailsSealed: reason ? undefined : outcome.detailsSealed,
      shown: reason ? undefined : shown,
      occurredAt: clampTime(req.occurredAt, now),
      resident: reason ? undefined : resident,
      pad: outcome.pad,
      presentationDigest: reason ? undefined : outcome.presentationDigest,
    });
    if (created) (this.#d.metrics ?? NO_CHECKIN_METRICS).recorded(record.method, record.result === 'rejected' ? (record.reason ?? 'unknown') : undefined);
    if (created && record.result === 'rejected') await this.#failed(record, photo);
    if (created) await this.#recorded(record);
    return viewOf(record, !created);
  }

  /** Every new check-in, for live views (PASS Manager's shelter dashboard): ids and direction only, no personal facts. */
  async #recorded(record: CheckinRecord): Promise<void> {
    const event: CheckinRecordedEvent = {
      id: record.id,
      facilityId: record.facilityId,
      kioskId: record.kioskId,
      method: record.method,
      result: record.result,
      direction: record.direction,
      at: record.recordedAt.toISOString(),
    };
    await this.#d.bus.publish(CHECKINS_CHANNEL, JSON.stringify(event)).catch((error: unknown) => this.#d.log.warn({ err: error }, 'check-in event not published'));
  }

  async #failed(record: CheckinRecord, photo?: Uint8Array): Promise<void> {
    // The photo itself never goes on the bus or into a log line.
    const keep = photo && this.#d.evidence ? this.#d.evidence(record, photo) : Promise.resolve(false);
    const thumbnail = await keep.catch((error: unknown) => {
      this.#d.log.warn({ err: error }, 'check-in failure evidence not kept');
      return false;
    });
    const event: CheckinFailureEvent = {
      id: record.id,
      facilityId: record.facilityId,
      kioskId: record.kioskId,
      method: record.method,
      reason: record.reason ?? 'unknown',
      at: record.recordedAt.toISOString(),
      ...(thumbnail ? { thumbnail: true } : {}),
    };
    // Staff are told at once; the record itself is already durable, so a bus failure loses nothing.
    await this.#d.bus.publish(CHECKIN_FAILURES_CHANNEL, JSON.stringify(event)).catch((error: unknown) => this.#d.log.warn({ err: error }, 'check-in failure event not published'));
  }
}
