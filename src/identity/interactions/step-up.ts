/**
 * Step-up sign-in: which of the acr values a relying party accepts this account can meet (in the
 * relying party's order of preference), and the state of a card or face step between its pages.
 *   urn:pass:acr:pwd       always (the password, or the PASS session)
 *   urn:pass:acr:mfa       always (password and a one-time code, a remembered browser, or a passkey)
 *   urn:pass:acr:mfa-strong when the account has a passkey or an authenticator app
 *   urn:pass:acr:jpki-sign when the account's person was proofed with a signature certificate
 *   urn:pass:acr:face      when the face factor runs and the person has a current face template
 * None of them: the relying party gets `unmet_authentication_requirements`.
 */
import type { Database } from '../../db/database.ts';
import type { FaceService } from '../../face/service/face-service.ts';
import type { TransientStore } from '../proofing/transient-store.ts';
import type { CardStepUp } from '../proofing/step-up-card.ts';
import { ACR_CARD, ACR_FACE, ACR_MFA, ACR_PASSWORD, ACR_STRONG, type AuthMethod } from '../assurance.ts';
import { selfPersonOf } from '../persons.ts';

/** How long a started card or face step waits for the resident. */
export const STEP_TTL_SECONDS = 600;
/** Face photos one step may try: enough for a bad light or a blink, not for a gallery of strangers. */
export const MAX_FACE_ATTEMPTS = 5;

export interface StepState {
  accountId: string;
  clientId: string;
  /** The acr this step earns. */
  acr: string;
  /** Methods already used in this authentication (the password, or the session's). */
  amr: AuthMethod[];
  /** The card challenge issued and not yet used (base64). */
  challenge?: string;
  faceAttempts: number;
}

export interface StepUpDeps {
  db: Database;
  store: TransientStore;
  card: CardStepUp;
  face: () => FaceService | undefined;
  /** The account has a passkey or an authenticator app: it can meet urn:pass:acr:mfa-strong. */
  strong: (accountId: string) => Promise<boolean>;
}

const key = (uid: string) => `stepup:${uid}`;

export class StepUp {
  readonly #d: StepUpDeps;

  constructor(deps: StepUpDeps) {
    this.#d = deps;
  }

  get card(): CardStepUp {
    return this.#d.card;
  }

  face(): FaceService | undefined {
    return this.#d.face();
  }

  selfPerson(accountId: string): Promise<string | undefined> {
    return selfPersonOf(this.#d.db, accountId);
  }

  async #faceReady(accountId: string): Promise<boolean> {
    const face = this.#d.face();
    const personId = face?.available ? await this.selfPerson(accountId) : undefined;
    if (!face || !personId) return false;
    const status = await face.status(personId);
    return status.enrolled && status.current !== false;
  }

  /** The first acr of `acrs` this account can meet, or undefined. */
  async plan(accountId: string, acrs: readonly string[]): Promise<string | undefined> {
    for (const acr of acrs) {
      if (acr === ACR_PASSWORD || acr === ACR_MFA) return acr;
      if (acr === ACR_STRONG && (await this.#d.strong(accountId))) return acr;
      if (acr === ACR_CARD && (await this.#d.card.available(accountId))) return acr;
      if (acr === ACR_FACE && (await this.#faceReady(accountId))) return acr;
    }
    return undefined;
  }

  async begin(uid: string, state: StepState): Promise<void> {
    await this.#d.store.put(key(uid), JSON.stringify(state), STEP_TTL_SECONDS);
  }

  /** The step of an interaction, still there afterwards (the store's records are single-use, so it goes back). */
  async current(uid: string): Promise<StepState | undefined> {
    const raw = await this.#d.store.take(key(uid));
    if (!raw) return undefined;
    await this.#d.store.put(key(uid), raw, STEP_TTL_SECONDS);
    return JSON.parse(raw) as StepState;
  }

  async save(uid: string, state: StepState): Promise<void> {
    await this.#d.store.take(key(uid));
    await this.begin(uid, state);
  }

  async end(uid: string): Promise<void> {
    await this.#d.store.take(key(uid));
  }
}
