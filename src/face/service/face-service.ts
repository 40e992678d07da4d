import { InvalidInputError, NotFoundError, PassError } from '../../core/errors.ts';
import type { EventBus } from '../../core/event-bus.ts';
import type { Logger } from '../../core/logger.ts';
import type { AuditEntry } from '../../audit/audit-log.ts';
import type { EnrolledFaces, EnrollmentCheck } from '../enrollment/checks.ts';
import { FaceModelsUnavailableError } from '../errors.ts';
import type { IdentifyResult, Match, SearchMethod, VerifyResult } from '../match/gallery.ts';
import { dotRow } from '../match/search.ts';
import type { PresentationAttackResult } from '../pad.ts';
import type { TemplateKeyring } from '../template/keyring.ts';
import { openTemplate, sealTemplate } from '../template/template.ts';
import { GalleryCache } from './gallery-cache.ts';
import type { CachedTemplate } from './gallery-cache.ts';
import type { FaceInference } from './inference.ts';
import type { FaceMetrics, FaceOperation } from './metrics.ts';
import type { PhotoSource, WorkerAnalysis } from '../worker/protocol.ts';
import type { AnalysedFrame } from '../liveness/liveness-checks.ts';
import type { QualityThresholds } from '../engine.ts';
import { templateContext } from './keys.ts';
import { FaceStore, isUuid } from './template-store.ts';
import type { TemplateRow } from './template-store.ts';

export const FACE_CHANNEL = 'face-templates';
const GALLERY_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface FaceServiceOptions {
  store: FaceStore;
  bus: EventBus;
  keyring: TemplateKeyring;
  log: Logger;
  /** Undefined when the models are missing: enrollment and matching then answer models_unavailable. */
  inference: FaceInference | undefined;
  unavailableReason?: string;
  /** The configured recognizer's id and embedding length (from the manifest). */
  modelId: string;
  dimension: number;
  verifyThreshold: number;
  identifyThreshold: number;
  search?: SearchMethod;
  /** Full comparison of memory with the database, catching any missed event; 0 turns it off. */
  reconcileSeconds?: number;
  /** What a face must pass before it is stored (enrollment/checks.ts), in order. */
  checks: readonly EnrollmentCheck[];
  /** Records a face refused as someone else's (the audit log). */
  audit?: (entry: AuditEntry) => Promise<unknown>;
  /** Inference time, queue and presentation-attack outcomes (src/face/service/metrics.ts). */
  metrics?: FaceMetrics;
}

/** Who asked for an enrollment: the signed-in account (the person's own, or their representative's). */
export interface EnrollmentActor {
  accountId: string;
}

/** What the API may say about a person's template: never the template itself. */
export interface EnrollmentStatus {
  enrolled: boolean;
  modelId?: string;
  enrolledAt?: string;
  /** False when the template was made by another recognizer than the configured one: enroll again. */
  current?: boolean;
}

export interface EnrollResult extends EnrollmentStatus {
  replaced: boolean;
  quality: { faceSize: number; sharpness: number; brightness: number };
  presentationAttack: PresentationAttackResult;
}

/** A live face against the My Number Card photo (compareWithCardPhoto). */
export interface CardPhotoComparison {
  matched: boolean;
  /** Cosine similarity of the two faces' embeddings. */
  score: number;
  /** The 1:1 threshold (FACE_VERIFY_THRESHOLD, else the recognizer's). */
  threshold: number;
  /** The live photo's, as the engine gives it; what it means is the caller's to decide. */
  presentationAttack: PresentationAttackResult;
}

/**
 * Face enrollment and matching for the platform. Templates are sealed per person (AES-256-GCM,
 * person id as associated data) and stored in face_templates, once the enrollment checks passed;
 * galleries, and every enrolled person for those checks, are held in memory on every node and
 * follow changes through the event bus, with a periodic reconciliation behind it.
 */
export class FaceService {
  readonly modelId: string;
  readonly verifyThreshold: number;
  readonly identifyThreshold: number;
  readonly store: FaceStore;
  readonly #o: FaceServiceOptions;
  readonly #cache: GalleryCache;
  readonly #chains = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: FaceServiceOptions) {
    this.#o = options;
    this.store = options.store;
    this.modelId = options.modelId;
    this.verifyThreshold = options.verifyThreshold;
    this.identifyThreshold = options.identifyThreshold;
    this.#cache = new GalleryCache({ dimension: options.dimension, modelId: options.modelId, ...(options.search ? { search: options.search } : {}) });
  }

  get available(): boolean {
    return this.#o.inference !== undefined && this.#o.inference.state !== 'failed';
  }

  get unavailableReason(): string | undefined {
    return this.#o.unavailableReason ?? this.#o.inference?.failure;
  }

  get galleryStats(): { galleries: number; persons: number; rows: number; enrolled: number } {
    const r = this.#cache.registry;
    return { galleries: r.galleryIds().length, persons: this.#cache.persons, rows: r.rows, enrolled: this.#cache.enrolled.size };
  }

  /** Loads every gallery from the database and starts following changes. */
  async start(): Promise<void> {
    await this.#o.bus.subscribe(FACE_CHANNEL, (message) => {
      if (isUuid(message)) this.#refresh(message).catch((error: unknown) => this.#o.log.warn({ err: error }, 'face gallery refresh failed'));
    });
    const [rows, members] = await Promise.all([this.store.currentTemplates(this.modelId), this.store.allMembers()]);
    const templates = new Map<string, CachedTemplate>();
    for (const row of rows) {
      const t = this.#open(row);
      if (t) templates.set(row.person_id, t);
    }
    const galleriesOf = new Map<string, string[]>();
    for (const m of members) galleriesOf.set(m.person_id, [...(galleriesOf.get(m.person_id) ?? []), m.gallery_id]);
    for (const person of new Set([...templates.keys(), ...galleriesOf.keys()])) this.#cache.setPerson(person, templates.get(person), galleriesOf.get(person) ?? []);
    const seconds = this.#o.reconcileSeconds ?? 300;
    if (seconds > 0) {
      this.#timer = setInterval(() => {
        this.reconcile().catch((error: unknown) => this.#o.log.warn({ err: error }, 'face gallery reconciliation failed'));
      }, seconds * 1000);
      this.#timer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.allSettled([...this.#chains.values()]);
  }

  /** Brings memory in line with the database (missed events, deletions by cascade); returns how many persons changed. */
  async reconcile(): Promise<number> {
    const [versions, members] = await Promise.all([this.store.versions(this.modelId), this.store.allMembers()]);
    const changed = this.#cache.differences(versions, members);
    for (const person of changed) await this.#refresh(person);
    return changed.size;
  }

  async status(personId: string): Promise<EnrollmentStatus> {
    const meta = await this.store.meta(personId);
    if (!meta) return { enrolled: false };
    return { enrolled: true, modelId: meta.model_id, enrolledAt: new Date(meta.updated_at).toISOString(), current: meta.model_id === this.modelId };
  }

  /**
   * Enrolls or replaces the person's face from a photo, once it has passed every enrollment check
   * (a proofed person, nobody else's face, …); nothing is stored when the photo or a check refuses.
   */
  async enroll(personId: string, photo: Uint8Array, actor?: EnrollmentActor): Promise<EnrollResult> {
    this.#inference();
    if (!(await this.store.personExists(personId))) throw new NotFoundError('person_not_found', 'no such person');
    for (const check of this.#o.checks) await check.person?.(personId);
    const analysis = await this.#analyse('enroll', photo);
    try {
      if (analysis.modelId !== this.modelId) throw new FaceModelsUnavailableError(`the face workers run ${analysis.modelId}, not ${this.modelId}`);
      // A face that is a print, a screen or a cut-out is never enrolled, whatever facility it is for
      // (the threshold keeps real photos: 0 of 56 refused, docs/face.md "Presentation-attack detection").
      if (analysis.presentationAttack.status === 'attack') {
        const refusal = new InvalidInputError('face_not_live', 'the photo looks like a photo of a photo or a screen', { score: analysis.presentationAttack.score }, 422);
        await this.#auditRefusal(personId, actor, 'presentation_attack', refusal);
        throw refusal;
      }
      const probe = { personId, embedding: analysis.embedding, photo, enrolled: this.#enrolledFaces };
      for (const check of this.#o.checks) {
        try {
          await check.face?.(probe);
        } catch (error) {
          if (error instanceof PassError) await this.#auditRefusal(personId, actor, check.name, error);
          throw error;
        }
      }
      const sealed = sealTemplate(analysis.embedding, { keyring: this.#o.keyring, modelId: this.modelId, context: templateContext(personId) });
      const { replaced } = await this.store.put(personId, this.modelId, this.#o.keyring.activeKeyId, sealed);
      await this.#changed(personId);
      return { ...(await this.status(personId)), replaced, quality: analysis.quality, presentationAttack: analysis.presentationAttack };
    } finally {
      analysis.embedding.fill(0);
    }
  }

  async remove(personId: string): Promise<boolean> {
    const removed = await this.store.delete(personId);
    await this.#changed(personId);
    return removed;
  }

  /**
   * Call after deleting a person (the database removes their template and memberships by
   * cascade): every node drops them from its galleries now rather than at the next reconciliation.
   */
  async personRemoved(personId: string): Promise<void> {
    await this.#changed(personId);
  }

  /** 1:1 — is the person in the photo the enrolled person? */
  async verify(personId: string, photo: Uint8Array): Promise<VerifyResult> {
    const row = await this.store.template(personId);
    if (!row) throw new NotFoundError('not_enrolled', 'this person has no enrolled face');
    if (row.model_id !== this.modelId) throw new InvalidInputError('reenroll_required', 'the enrolled face was made by another recognizer; enroll again');
    const analysis = await this.#analyse('verify', photo);
    const stored = openTemplate(row.template, { keyring: this.#o.keyring, context: templateContext(personId) }).embedding;
    const score = dotRow(stored, 0, analysis.embedding, stored.length);
    stored.fill(0);
    return { score, matched: score >= this.verifyThreshold, threshold: this.verifyThreshold };
  }

  /**
   * 1:1 — is the live face the card holder's? The My Number Card photo (券面AP, JPEG 2000: a JP2
   * file or a bare codestream) and the live photo go through the same pipeline in the workers and
   * are compared at the 1:1 threshold. Both serve this comparison only: nothing is stored or
   * logged. A non-match is answered, not thrown; the caller refuses it as `face_not_card_holder`.
   * Throws `card_photo_unreadable` for a card photo that is not one or shows no usable face, and
   * the live photo's own refusals as enroll() does.
   */
  async compareWithCardPhoto(cardPhoto: Uint8Array, live: Uint8Array): Promise<CardPhotoComparison> {
    const inference = this.#inference();
    const started = performance.now();
    // Not through #analyse: a card photo is a photo by nature, so its PAD outcome is not counted.
    const card = inference.analyse(cardPhoto, undefined, 'card-photo').finally(() => this.#o.metrics?.waited('verify', (performance.now() - started) / 1000));
    const [c, p] = await Promise.allSettled([card, this.#analyse('verify', live)]);
    try {
      // The card photo's refusal first: retaking the live photo would not help.
      if (c.status === 'rejected') throw c.reason;
      if (p.status === 'rejected') throw p.reason;
      for (const a of [c.value, p.value]) {
        if (a.modelId !== this.modelId) throw new FaceModelsUnavailableError(`the face workers run ${a.modelId}, not ${this.modelId}`);
      }
      const score = dotRow(c.value.embedding, 0, p.value.embedding, c.value.embedding.length);
      return { matched: score >= this.verifyThreshold, score, threshold: this.verifyThreshold, presentationAttack: p.value.presentationAttack };
    } finally {
      if (c.status === 'fulfilled') c.value.embedding.fill(0);
      if (p.status === 'fulfilled') p.value.embedding.fill(0);
    }
  }

  /** 1:N — who in the gallery is in the photo, if anyone (decision at the identification threshold). */
  async identify(galleryId: string, photo: Uint8Array, topK = 1): Promise<IdentifyResult & { presentationAttack: PresentationAttackResult }> {
    checkGalleryId(galleryId);
    // A kiosk check-in: the person in front counts, smaller faces behind them do not (docs/face.md, "Crowds").
    const analysis = await this.#analyse('identify', photo, { faces: 'dominant' });
    // The caller's facility decides what the PAD result means (src/checkins/pad.ts); it is only passed on here.
    const found = this.#cache.registry.identify(galleryId, analysis.embedding, this.identifyThreshold, Math.min(Math.max(1, topK), 10));
    return { ...found, presentationAttack: analysis.presentationAttack };
  }

  async addToGallery(galleryId: string, personId: string): Promise<void> {
    checkGalleryId(galleryId);
    if (!(await this.store.personExists(personId))) throw new NotFoundError('person_not_found', 'no such person');
    await this.store.addMember(galleryId, personId);
    await this.#changed(personId);
  }

  async removeFromGallery(galleryId: string, personId: string): Promise<boolean> {
    checkGalleryId(galleryId);
    const removed = await this.store.removeMember(galleryId, personId);
    await this.#changed(personId);
    return removed;
  }

  /** Persons in the gallery held in memory on this node (those with a current template). */
  gallerySize(galleryId: string): number {
    return this.#cache.registry.gallery(galleryId)?.size ?? 0;
  }

  galleryHas(galleryId: string, personId: string): boolean {
    return this.#cache.registry.gallery(galleryId)?.has(personId) ?? false;
  }

  /** Re-encrypts templates sealed under older keys with the active key (after a key rotation). */
  async resealTemplates(batch = 500): Promise<number> {
    const { keyring } = this.#o;
    let count = 0;
    for (;;) {
      const rows = await this.store.templatesNotUnder(keyring.activeKeyId, batch);
      if (rows.length === 0) return count;
      for (const row of rows) {
        const context = templateContext(row.person_id);
        const opened = openTemplate(row.template, { keyring, context });
        const sealed = sealTemplate(opened.embedding, { keyring, modelId: opened.modelId, context });
        if (await this.store.reseal(row.person_id, row.key_id, keyring.activeKeyId, sealed)) count++;
      }
    }
  }

  /** The enrolled persons as the enrollment checks compare a new face with them. */
  readonly #enrolledFaces: EnrolledFaces = {
    // The exact scan (int8 is exact by construction): a miss here would be stored for good, and one
    // exact search over 100,000 persons costs ~4 ms (docs/face.md).
    nearest: (embedding, topK) => this.#cache.enrolled.identify(embedding, this.identifyThreshold, topK, 'int8').candidates,
    scores: async (personIds, embedding) => {
      const out: Match[] = [];
      for (const row of await this.store.templatesOf(personIds)) {
        if (row.model_id !== this.modelId) continue;
        const stored = openTemplate(row.template, { keyring: this.#o.keyring, context: templateContext(row.person_id) }).embedding;
        out.push({ personId: row.person_id, score: dotRow(stored, 0, embedding, stored.length) });
        stored.fill(0);
      }
      return out;
    },
  };

  /** A face refused as someone else's is a security event: who tried, for whom, and why (never whom it matched). */
  async #auditRefusal(personId: string, actor: EnrollmentActor | undefined, check: string, refusal: PassError): Promise<void> {
    if (!this.#o.audit) return;
    const details: Record<string, unknown> = { check, reason: refusal.reason };
    if (typeof refusal.details?.resembles === 'string') details.resembles = refusal.details.resembles;
    try {
      await this.#o.audit({ actorAccountId: actor?.accountId, action: 'face.enrollment_refused', personId, details });
    } catch (error) {
      // The refusal stands either way; a missing entry is logged, never a reason to store the face.
      this.#o.log.error({ err: error, personId }, 'face enrollment refusal could not be audited');
    }
  }

  /**
   * One camera frame of an active liveness challenge (src/face/liveness): its single face's
   * embedding, head pose and passive presentation-attack result. The frame is not kept.
   */
  async analyseLivenessFrame(frame: Uint8Array): Promise<AnalysedFrame> {
    const analysis = await this.#analyse('liveness', frame, undefined, 'liveness-frame');
    if (!analysis.pose) throw new FaceModelsUnavailableError('the head-pose model is not in place; run npm run models:fetch');
    return { yaw: analysis.pose.yaw, embedding: analysis.embedding, presentationAttack: analysis.presentationAttack };
  }

  /** One photo through the inference workers, timed, its presentation-attack outcome counted. */
  async #analyse(operation: FaceOperation, photo: Uint8Array, quality?: Partial<QualityThresholds>, source?: PhotoSource): Promise<WorkerAnalysis> {
    const inference = this.#inference();
    const started = performance.now();
    try {
      const analysis = await inference.analyse(photo, quality, source);
      this.#o.metrics?.analysed(analysis);
      return analysis;
    } finally {
      this.#o.metrics?.waited(operation, (performance.now() - started) / 1000);
    }
  }

  #inference(): FaceInference {
    const inference = this.#o.inference;
    if (!inference || inference.state === 'failed') throw new FaceModelsUnavailableError(this.unavailableReason ?? 'face models are not installed');
    return inference;
  }

  /** Applies a change here at once, then tells the other nodes (and, harmlessly, this one again). */
  async #changed(personId: string): Promise<void> {
    await this.#refresh(personId);
    await this.#o.bus.publish(FACE_CHANNEL, personId);
  }

  /** Re-reads one person from the database; refreshes of one person run one after another. */
  #refresh(personId: string): Promise<void> {
    const previous = this.#chains.get(personId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const [row, galleries] = await Promise.all([this.store.template(personId), this.store.galleriesOf(personId)]);
      // Every enrolled person is held, in galleries or not: a new enrollment is searched against all of them.
      const template = row && row.model_id === this.modelId ? this.#open(row) : undefined;
      this.#cache.setPerson(personId, template, galleries);
    });
    const settled = next.catch(() => {});
    this.#chains.set(personId, settled);
    void settled.then(() => {
      if (this.#chains.get(personId) === settled) this.#chains.delete(personId);
    });
    return next;
  }

  #open(row: TemplateRow): CachedTemplate | undefined {
    try {
      const { embedding } = openTemplate(row.template, { keyring: this.#o.keyring, context: templateContext(row.person_id) });
      if (embedding.length !== this.#o.dimension) return undefined;
      return { embedding, version: new Date(row.updated_at).getTime() };
    } catch (error) {
      // Never the template or the key in the log: the person id and the reason are enough.
      this.#o.log.warn({ personId: row.person_id, reason: (error as { reason?: string }).reason }, 'face template cannot be opened; left out of galleries');
      return undefined;
    }
  }
}

function checkGalleryId(galleryId: string): void {
  if (!GALLERY_ID.test(galleryId)) throw new InvalidInputError('invalid_gallery_id', 'a gallery id has 1-64 letters, digits, ".", "_", ":" or "-"');
}
