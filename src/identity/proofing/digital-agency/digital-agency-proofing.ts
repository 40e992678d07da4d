/**
 * Identity proofing from a phone, through the Digital Agency's app (デジタル認証アプリ):
 *   1. start: an authorization request (PKCE S256, state, nonce, the basic four's scopes), its
 *      secrets kept sealed in the transient store, bound to the account and the client, single use,
 *      minutes long;
 *   2. callback: the answer the PASS app received — the request is used up first, whatever follows;
 *      the code is redeemed (private_key_jwt), the ID token and UserInfo checked (relying-party.ts),
 *      the basic four read in PASS's shape, and the binding rules checked; the facts are held,
 *      sealed, for the resident to confirm — nothing is bound yet;
 *   3. confirm: the verified person is bound to the account's own person by the same writer as the
 *      card path (records.ts), with the Digital Agency's keyed `sub` as the evidence's serial.
 * A refusal at any step stores nothing.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../../../db/database.ts';
import type { Logger } from '../../../core/logger.ts';
import type { SecretBox } from '../../../core/secret-box.ts';
import type { AnchorEnvironment, BasicFourClaims, JpkiEvidenceRecord } from '../../../jpki/index.ts';
import { alreadyRegistered, ProofingForbiddenError, ProofingInputError } from '../errors.ts';
import { PROOFING_REASONS } from '../messages.ts';
import { personHashKey, personKeyFor, type ProofingPrincipal } from '../proofing-service.ts';
import { IdentityRecords, type BindingResult } from '../records.ts';
import type { TransientStore } from '../transient-store.ts';
import { digitalAgencySubjectKey, DIGITAL_AGENCY_METHOD } from './evidence.ts';
import type { AuthorizationFlow, DigitalAgencyClient } from './relying-party.ts';
import { personHoldingSubject } from './subject-binding.ts';
import { factsFromUserInfo } from './userinfo-facts.ts';

/** How long the resident has to go through the app and come back. */
export const REQUEST_TTL_SECONDS = 600;
/** How long the verified facts wait for the resident's confirmation (as on the card path). */
export const PENDING_TTL_SECONDS = 600;
/** identity_verifications.revocation_method: the Digital Agency's server checked the certificate, not PASS. */
const CHECKED_BY_DIGITAL_AGENCY = 'da_app';
/** A proof through the app carries no certificate expiry PASS could see: it counts for a year, like a text-AP proof. */
const PROOF_VALIDITY_DAYS = 365;

export interface StartedRequest {
  requestId: string;
  authorizationUrl: string;
  expiresAt: Date;
}

/** What the PASS app received on its redirect URI. */
export interface CallbackInput {
  requestId: string;
  state: string;
  code?: string;
  iss?: string;
  error?: string;
}

export interface DigitalAgencyPendingView {
  verificationId: string;
  expiresAt: Date;
  claims: BasicFourClaims;
  reverification: boolean;
}

interface StoredRequest extends AuthorizationFlow {
  clientId: string;
}

interface PendingProof {
  clientId: string;
  personKey: string;
  subjectKey: string;
  claims: BasicFourClaims;
  verifiedAt: string;
}

export interface DigitalAgencyProofingDeps {
  db: Database;
  box: SecretBox;
  store: TransientStore;
  client: DigitalAgencyClient;
  identityHashKey: string;
  /** production (auth-and-sign.go.jp), test (the sandbox) or development (a stand-in): whose word the proof is. */
  environment: AnchorEnvironment;
  log: Logger;
  now?: () => Date;
}

const requestKey = (accountId: string, id: string) => `da-request:${accountId}:${id}`;
const pendingKey = (accountId: string, id: string) => `da-pending:${accountId}:${id}`;

function requireAccount(principal: ProofingPrincipal): string {
  if (!principal.accountId) throw new ProofingForbiddenError('no_account', 'identity proofing needs a token issued to a signed-in resident');
  return principal.accountId;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

export class DigitalAgencyProofing {
  readonly records: IdentityRecords;
  readonly #d: DigitalAgencyProofingDeps;
  readonly #personHashKey: Uint8Array;
  readonly #now: () => Date;

  constructor(deps: DigitalAgencyProofingDeps) {
    this.#d = deps;
    this.records = new IdentityRecords(deps.db, deps.box);
    this.#personHashKey = personHashKey(deps.identityHashKey);
    this.#now = deps.now ?? (() => new Date());
  }

  get environment(): AnchorEnvironment {
    return this.#d.environment;
  }

  async start(principal: ProofingPrincipal): Promise<StartedRequest> {
    const accountId = requireAccount(principal);
    const flow = this.#d.client.newFlow();
    const requestId = randomBytes(16).toString('base64url');
    const key = requestKey(accountId, requestId);
    const stored: StoredRequest = { ...flow, clientId: principal.clientId };
    await this.#d.store.put(key, this.#d.box.seal(JSON.stringify(stored), key), REQUEST_TTL_SECONDS);
    return {
      requestId,
      authorizationUrl: await this.#d.client.authorizationUrl(flow),
      expiresAt: new Date(this.#now().getTime() + REQUEST_TTL_SECONDS * 1000),
    };
  }

  async callback(principal: ProofingPrincipal, input: CallbackInput): Promise<DigitalAgencyPendingView> {
    const accountId = requireAccount(principal);
    // Used up first, whatever follows: a code can be tried once; another account's request is not found.
    const key = requestKey(accountId, input.requestId);
    const sealed = await this.#d.store.take(key);
    if (!sealed) throw PROOFING_REASONS.refuse('digital_agency_request_expired', 'the request is unknown, expired or already used');
    const request = JSON.parse(this.#d.box.openText(sealed, key)) as StoredRequest;
    if (request.clientId !== principal.clientId) throw new ProofingForbiddenError('challenge_mismatch', 'the request was started by another client');
    if (!sameText(input.state, request.state)) throw PROOFING_REASONS.refuse('digital_agency_state_mismatch', 'the state is not the one this request sent');
    if (input.error !== undefined) {
      // access_denied: the resident stopped in the app; anything else is the server's refusal.
      throw PROOFING_REASONS.refuse(input.error === 'access_denied' ? 'digital_agency_cancelled' : 'digital_agency_refused', `the authorization server answered ${input.error}`);
    }
    if (input.code === undefined) throw new ProofingInputError('invalid_request', 'the answer carries neither a code nor an error');

    const answer = await this.#d.client.complete(request, { code: input.code, state: input.state, ...(input.iss !== undefined ? { iss: input.iss } : {}) });
    const verifiedAt = this.#now();
    const facts = factsFromUserInfo(answer.userinfo, answer.grantedScope, verifiedAt);
    const personKey = personKeyFor(facts.hashInput, this.#personHashKey);
    const subjectKey = digitalAgencySubjectKey(this.#d.identityHashKey, this.#d.client.issuer, answer.idToken.sub);
    const { reverification } = await this.#precheck(accountId, personKey, subjectKey);

    const pending: PendingProof = { clientId: principal.clientId, personKey, subjectKey, claims: facts.claims, verifiedAt: isoSeconds(verifiedAt) };
    const verificationId = randomBytes(16).toString('base64url');
    const pKey = pendingKey(accountId, verificationId);
    await this.#d.store.put(pKey, this.#d.box.seal(JSON.stringify(pending), pKey), PENDING_TTL_SECONDS);
    this.#d.log.info({ accountId, environment: this.#d.environment, reverification }, 'identity verified by the Digital Agency\'s app, awaiting confirmation');
    return { verificationId, expiresAt: new Date(verifiedAt.getTime() + PENDING_TTL_SECONDS * 1000), claims: facts.claims, reverification };
  }

  /** The resident confirmed the facts: bind them to the account's own person. */
  async confirm(principal: ProofingPrincipal, verificationId: string): Promise<BindingResult & { claims: BasicFourClaims; verifiedAt: string }> {
    const accountId = requireAccount(principal);
    const key = pendingKey(accountId, verificationId);
    const sealed = await this.#d.store.take(key);
    if (!sealed) throw new ProofingInputError('verification_expired', 'the verification is unknown, expired or already confirmed');
    const pending = JSON.parse(this.#d.box.openText(sealed, key)) as PendingProof;
    if (pending.clientId !== principal.clientId) throw new ProofingForbiddenError('challenge_mismatch', 'the verification was made by another client');
    await this.#precheck(accountId, pending.personKey, pending.subjectKey);
    const verifiedAt = new Date(pending.verifiedAt);
    const evidence: JpkiEvidenceRecord = {
      issuer: this.#d.client.issuer,
      serialNumber: pending.subjectKey,
      verifiedAt: pending.verifiedAt,
      revocation: {
        status: 'good',
        // The JPKI record type knows only PASS's own checks; this one was the Digital Agency's.
        method: CHECKED_BY_DIGITAL_AGENCY as JpkiEvidenceRecord['revocation']['method'],
        checkedAt: pending.verifiedAt,
        source: this.#d.client.issuer,
      },
    };
    const result = await this.records.bind({
      accountId,
      clientId: pending.clientId,
      personKey: pending.personKey,
      evidence,
      claims: pending.claims,
      substitution: { name: false, address: false },
      certificateNotAfter: new Date(verifiedAt.getTime() + PROOF_VALIDITY_DAYS * 86_400_000),
      anchorEnvironment: this.#d.environment,
      method: DIGITAL_AGENCY_METHOD,
    });
    this.#d.log.info(
      { accountId, personId: result.personId, verificationId: result.verificationId, reverified: result.reverified, environment: this.#d.environment },
      'identity proofed through the Digital Agency\'s app',
    );
    return { ...result, claims: pending.claims, verifiedAt: pending.verifiedAt };
  }

  /**
   * The card path's rules (records.ts: the account's person cannot change, one person one PASS ID)
   * and this path's own: a Digital Agency identity already proven for another person stays theirs.
   */
  async #precheck(accountId: string, personKey: string, subjectKey: string): Promise<{ reverification: boolean }> {
    const holder = await personHoldingSubject(this.#d.db, this.#d.client.issuer, subjectKey);
    if (holder && holder !== (await this.records.selfPersonId(accountId))) throw alreadyRegistered();
    return this.records.precheck(accountId, personKey);
  }
}
