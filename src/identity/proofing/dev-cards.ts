/**
 * The development My Number Cards of demo and test residents, issued by the development CA and kept
 * in the database (development and test only). Both certificates of a card are issued together (the
 * same validity), as at a municipal counter. The store keeps the keys sealed and the PINs' retry
 * counters; the card itself is the APDU simulator (src/card/simulator/jpki-card.ts): every read is
 * the card library's real APDU sequence (src/card/jpki-proofs.ts) against a simulated card made
 * from the stored keys and counters, and the counters it ends with are stored back, so three wrong
 * PINs lock the card's application across requests and restarts, like the real card. Three for the
 * signature password too, where the real card allows five (docs/jpki.md, development deviations).
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../core/errors.ts';
import { ApduChannel } from '../../card/apdu-channel.ts';
import { isCardError } from '../../card/errors.ts';
import { JPKI_EF } from '../../card/jpki-ap.ts';
import { readAuthenticationProof, readSignatureProof, type CardProof } from '../../card/jpki-proofs.ts';
import { simulatedJpkiCard } from '../../card/simulator/jpki-card.ts';
import type { SimulatedCard } from '../../card/simulator/simulated-card.ts';
import { generateRsaKeyPair } from '../../jpki/dev-ca.ts';
import type { ResidentFacts } from '../../jpki/dev-ca.ts';
import { parseCertificate } from '../../jpki/certificate.ts';
import type { RevocationReason } from '../../jpki/index.ts';
import type { DevelopmentCas, DevRevocation } from './dev-pki.ts';

const TABLE = 'jpki_dev_cards';
export const DEV_CARD_PIN_ATTEMPTS = 3;
export const DEFAULT_SIGN_PIN = 'PASS1234';
export const DEFAULT_AUTH_PIN = '1234';

interface Secrets {
  signKey: string;
  signPin: string;
  authKey: string;
  authPin: string;
}

interface CardRow {
  id: string;
  label: string;
  serial_number: string;
  signature_certificate: string;
  authentication_certificate: string | null;
  secrets_sealed: string;
  sign_pin_attempts_left: number;
  auth_pin_attempts_left: number;
  revoked_at: Date | null;
  revocation_reason: string | null;
  created_at: Date;
}

export interface DevCardSummary {
  id: string;
  label: string;
  serialNumber: string;
  revoked: boolean;
  locked: boolean;
}

export interface IssueDevCardOptions {
  id?: string;
  label?: string;
  signPin?: string;
  authPin?: string;
  notBefore?: Date;
  notAfter?: Date;
}

export interface OpenedDevCard {
  id: string;
  /** The card on a simulated reader, for tests and tools: its own PIN counters, in memory. */
  card: DevCardInHand;
  signPin: string;
  authPin: string;
  signatureCertificate: Uint8Array;
}

/**
 * A development card in someone's hand: what a reader gets from it, by the card library's APDU
 * sequence against the simulated card. The PIN counters are this card's own (fresh at
 * `DevCardStore.open`), not the stored ones.
 */
export class DevCardInHand {
  /** The APDU-level card, for a simulated reader (the development card bridge). */
  readonly simulated: SimulatedCard;
  readonly #authenticationCertificate: Uint8Array | undefined;

  constructor(simulated: SimulatedCard, authenticationCertificate: Uint8Array | undefined) {
    this.simulated = simulated;
    this.#authenticationCertificate = authenticationCertificate;
  }

  /** EF 000A needs no PIN, so the certificate is handed out as it is stored. */
  readAuthenticationCertificate(): Uint8Array {
    if (!this.#authenticationCertificate) throw new InvalidInputError('no_certificate', 'this card has no user-authentication certificate');
    return this.#authenticationCertificate;
  }

  /** One card session: PIN, certificate, and the key's signature over DigestInfo(SHA-256(challenge)). */
  async read(app: 'signature' | 'authentication', pin: string, challenge: Uint8Array): Promise<CardProof> {
    const channel = new ApduChannel(this.simulated);
    if (app === 'authentication') return readAuthenticationProof(channel, { pin, challenge });
    return (await readSignatureProof(channel, { password: pin, challenge })).signature;
  }

  async signChallenge(app: 'signature' | 'authentication', pin: string, challenge: Uint8Array): Promise<Uint8Array> {
    return (await this.read(app, pin, challenge)).signature;
  }
}

const CARD_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

interface Counters {
  sign: number;
  auth: number;
}

/**
 * The card's answer in this store's words, as the proofing and step-up pages have always shown
 * it: which PIN was wrong and how many tries are left, or that it is locked.
 */
function refusalOf(error: unknown, before: Counters, after: Counters, malformed: keyof Counters | undefined): unknown {
  if (!isCardError(error)) return error;
  const which = malformed ?? (after.auth < before.auth ? 'auth' : 'sign');
  if (error.reason === 'pin_locked' || (malformed && after[malformed] <= 0)) {
    return new ForbiddenError('pin_locked', error.reason === 'pin_locked' && before[which] <= 0 ? 'the PIN is locked; reset it at the municipal office' : 'wrong PIN; the PIN is now locked');
  }
  if (error.reason === 'wrong_pin' || malformed) {
    return new InvalidInputError(which === 'auth' ? 'wrong_auth_pin' : 'wrong_pin', 'wrong PIN', { attempts_left: after[which] });
  }
  return error;
}

/** A positive 128-bit serial, as the development CA makes them. */
function cardSerial(): bigint {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return BigInt(`0x${bytes.toString('hex')}`);
}

function summary(row: CardRow): DevCardSummary {
  return {
    id: row.id,
    label: row.label,
    serialNumber: row.serial_number,
    revoked: row.revoked_at !== null,
    locked: row.sign_pin_attempts_left <= 0,
  };
}

export class DevCardStore {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #cas: DevelopmentCas;
  readonly #onRevoked: () => Promise<void>;

  constructor(db: Database, box: SecretBox, cas: DevelopmentCas, onRevoked: () => Promise<void> = async () => {}) {
    this.#db = db;
    this.#box = box;
    this.#cas = cas;
    this.#onRevoked = onRevoked;
  }

  /** Issues a card (signature and user-authentication certificates) for synthetic facts. */
  async issue(facts: ResidentFacts, options: IssueDevCardOptions = {}): Promise<OpenedDevCard> {
    const id = options.id ?? `card-${randomBytes(6).toString('hex')}`;
    if (!CARD_ID.test(id)) throw new InvalidInputError('invalid_request', 'card ids are lowercase letters, digits and hyphens');
    // One issuance: both certificates start in the same second and share one serial number, which
    // card-pair.ts reads as one card's (the two CAs each keep their serials unique).
    const issuance = {
      notBefore: options.notBefore ?? new Date(),
      ...(options.notAfter ? { notAfter: options.notAfter } : {}),
      serialNumber: cardSerial(),
    };
    const sign = generateRsaKeyPair();
    const auth = generateRsaKeyPair();
    const signatureCertificate = this.#cas.signature.issueSignatureCertificate(facts, { publicKey: sign.publicKey, ...issuance });
    const authenticationCertificate = this.#cas.authentication.issueUserAuthenticationCertificate({
      publicKey: auth.publicKey,
      ...issuance,
      ...(facts.prefecture ? { prefecture: facts.prefecture } : {}),
      ...(facts.municipality ? { municipality: facts.municipality } : {}),
    });
    const secrets: Secrets = {
      signKey: sign.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      signPin: options.signPin ?? DEFAULT_SIGN_PIN,
      authKey: auth.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      authPin: options.authPin ?? DEFAULT_AUTH_PIN,
    };
    await this.#db(TABLE).insert({
      id,
      label: options.label ?? facts.name,
      serial_number: parseCertificate(signatureCertificate).serialNumber,
      signature_certificate: Buffer.from(signatureCertificate).toString('base64'),
      authentication_certificate: Buffer.from(authenticationCertificate).toString('base64'),
      secrets_sealed: this.#box.seal(JSON.stringify(secrets), `jpki-dev-card:${id}`),
      sign_pin_attempts_left: DEV_CARD_PIN_ATTEMPTS,
    });
    return this.open(id);
  }

  async exists(id: string): Promise<boolean> {
    return CARD_ID.test(id) && (await this.#db(TABLE).where({ id }).first()) !== undefined;
  }

  async list(): Promise<DevCardSummary[]> {
    return ((await this.#db(TABLE).orderBy('created_at')) as CardRow[]).map(summary);
  }

  async open(id: string): Promise<OpenedDevCard> {
    const row = await this.#row(id);
    const secrets = this.#secrets(row);
    const card = this.#simulatedCard(row, secrets, { sign: DEV_CARD_PIN_ATTEMPTS, auth: DEV_CARD_PIN_ATTEMPTS });
    return { id: row.id, card: new DevCardInHand(card, this.#authenticationCertificate(row)), signPin: secrets.signPin, authPin: secrets.authPin, signatureCertificate: this.#signatureCertificate(row) };
  }

  /**
   * What the PASS app does with the card: verify the sign PIN, read EF 0001, sign the challenge.
   * The retry counter lives in the database: three wrong PINs lock the card.
   */
  async signChallenge(id: string, pin: string, challenge: Uint8Array): Promise<CardProof> {
    const { signature } = await this.readCard(id, { signPin: pin }, challenge);
    return signature;
  }

  /**
   * One card session of the PASS app (src/card/jpki-proofs.ts `readSignatureProof`): the signature
   * password, EF 0001 and its key's signature over the challenge, then — with `authPin` — the
   * user-authentication PIN, EF 000A and that key's signature over the same challenge. The stored
   * counters go into the simulated card and the ones it ends with are stored back.
   */
  async readCard(id: string, pins: { signPin: string; authPin?: string }, challenge: Uint8Array): Promise<{ signature: CardProof; authentication?: CardProof }> {
    const row = await this.#row(id);
    if (pins.authPin !== undefined && !row.authentication_certificate) throw new InvalidInputError('no_certificate', 'this card has no user-authentication certificate');
    const secrets = this.#secrets(row);
    const before: Counters = { sign: row.sign_pin_attempts_left, auth: row.auth_pin_attempts_left };
    const card = this.#simulatedCard(row, secrets, before);
    let outcome: { signature: CardProof; authentication?: CardProof } | undefined;
    let refusal: unknown;
    try {
      const read = await readSignatureProof(new ApduChannel(card), {
        password: pins.signPin,
        challenge,
        ...(pins.authPin !== undefined ? { authenticationPin: pins.authPin } : {}),
      });
      outcome = read.authentication ? { signature: read.signature, authentication: read.authentication } : { signature: read.signature };
    } catch (error) {
      refusal = error;
    }
    const after: Counters = { sign: card.triesLeft('jpki', JPKI_EF.signaturePin) ?? before.sign, auth: card.triesLeft('jpki', JPKI_EF.authenticationPin) ?? before.auth };
    // The card library keeps a PIN of the wrong form (not 6–16 letters and digits, not 4 digits)
    // from the card; this store has always counted one as a wrong try, and still does.
    const malformed = isCardError(refusal, 'invalid_sign_password') ? 'sign' : isCardError(refusal, 'invalid_pin') ? 'auth' : undefined;
    if (malformed) after[malformed] = Math.max(0, after[malformed] - 1);
    if (after.sign !== before.sign || after.auth !== before.auth) {
      await this.#db(TABLE).where({ id: row.id }).update({ sign_pin_attempts_left: after.sign, auth_pin_attempts_left: after.auth });
    }
    if (outcome) return outcome;
    throw refusalOf(refusal, before, after, malformed);
  }

  /** The card as the simulator holds it: the stored keys, and the PIN counters given. */
  #simulatedCard(row: CardRow, secrets: Secrets, triesLeft: { sign: number; auth: number }): SimulatedCard {
    const authenticationCertificate = this.#authenticationCertificate(row);
    return simulatedJpkiCard({
      signature: { certificate: this.#signatureCertificate(row), pin: secrets.signPin, sign: createPrivateKey(secrets.signKey), maxTries: DEV_CARD_PIN_ATTEMPTS, triesLeft: triesLeft.sign },
      ...(authenticationCertificate
        ? { authentication: { certificate: authenticationCertificate, pin: secrets.authPin, sign: createPrivateKey(secrets.authKey), maxTries: DEV_CARD_PIN_ATTEMPTS, triesLeft: triesLeft.auth } }
        : {}),
    });
  }

  #signatureCertificate(row: CardRow): Uint8Array {
    return new Uint8Array(Buffer.from(row.signature_certificate, 'base64'));
  }

  #authenticationCertificate(row: CardRow): Uint8Array | undefined {
    return row.authentication_certificate ? new Uint8Array(Buffer.from(row.authentication_certificate, 'base64')) : undefined;
  }

  /** Lists the card's signature certificate on the development CRL from now on. */
  async revoke(id: string, reason: RevocationReason = 'keyCompromise', at: Date = new Date()): Promise<void> {
    await this.#row(id);
    await this.#db(TABLE).where({ id }).update({ revoked_at: at, revocation_reason: reason });
    await this.#onRevoked();
  }

  /** Revoked cards, by the serial of their signature or (a lost card loses both) user-authentication certificate. */
  async revocations(kind: 'signature' | 'user_authentication' = 'signature'): Promise<DevRevocation[]> {
    const rows = (await this.#db(TABLE).whereNotNull('revoked_at').select('serial_number', 'authentication_certificate', 'revoked_at', 'revocation_reason')) as CardRow[];
    return rows.filter((r) => kind === 'signature' || r.authentication_certificate).map((r) => ({
      serialNumber: kind === 'signature' ? r.serial_number : parseCertificate(new Uint8Array(Buffer.from(r.authentication_certificate!, 'base64'))).serialNumber,
      revokedAt: new Date(r.revoked_at!),
      reason: (r.revocation_reason ?? undefined) as RevocationReason | undefined,
    }));
  }

  async #row(id: string): Promise<CardRow> {
    const row = CARD_ID.test(id) ? ((await this.#db(TABLE).where({ id }).first()) as CardRow | undefined) : undefined;
    if (!row) throw new NotFoundError('card_not_found', 'no such development card');
    return row;
  }

  #secrets(row: CardRow): Secrets {
    return JSON.parse(this.#box.openText(row.secrets_sealed, `jpki-dev-card:${row.id}`)) as Secrets;
  }
}
