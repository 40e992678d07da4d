/**
 * Virtual My Number Cards of demo and test residents, issued by the development CA and kept in
 * the database (development and test only). Both certificates of a card are issued together (the
 * same validity), as at a municipal counter. The PINs' retry counters are stored, so three wrong
 * PINs lock the card's application across requests and restarts, like the real card.
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../../core/errors.ts';
import { generateRsaKeyPair } from '../../jpki/dev-ca.ts';
import type { ResidentFacts } from '../../jpki/dev-ca.ts';
import { parseCertificate } from '../../jpki/certificate.ts';
import { VirtualMyNumberCard } from '../../jpki/virtual-card.ts';
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
  /** An in-memory card with its own PIN counter, for tests and tools. */
  card: VirtualMyNumberCard;
  signPin: string;
  authPin: string;
  signatureCertificate: Uint8Array;
}

const CARD_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

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
    const signatureCertificate = new Uint8Array(Buffer.from(row.signature_certificate, 'base64'));
    const card = new VirtualMyNumberCard({
      maxPinAttempts: DEV_CARD_PIN_ATTEMPTS,
      signature: { privateKey: createPrivateKey(secrets.signKey), certificateDer: signatureCertificate, pin: secrets.signPin },
      ...(row.authentication_certificate
        ? {
            authentication: {
              privateKey: createPrivateKey(secrets.authKey),
              certificateDer: new Uint8Array(Buffer.from(row.authentication_certificate, 'base64')),
              pin: secrets.authPin,
            },
          }
        : {}),
    });
    return { id: row.id, card, signPin: secrets.signPin, authPin: secrets.authPin, signatureCertificate };
  }

  /**
   * What the PASS app does with the card: verify the sign PIN, read EF 0001, sign the challenge.
   * The retry counter lives in the database: three wrong PINs lock the card.
   */
  async signChallenge(id: string, pin: string, challenge: Uint8Array): Promise<{ certificate: Uint8Array; signature: Uint8Array }> {
    const { signature } = await this.readCard(id, { signPin: pin }, challenge);
    return signature;
  }

  /**
   * One card session of the PASS app: the sign PIN, and the user-authentication PIN when given, are
   * checked by the card before anything is signed; then both keys sign the same challenge and both
   * certificates are read (EF 0001 and EF 000A).
   */
  async readCard(
    id: string,
    pins: { signPin: string; authPin?: string },
    challenge: Uint8Array,
  ): Promise<{ signature: { certificate: Uint8Array; signature: Uint8Array }; authentication?: { certificate: Uint8Array; signature: Uint8Array } }> {
    const row = await this.#row(id);
    const secrets = this.#secrets(row);
    await this.#checkPin(row, 'sign_pin_attempts_left', pins.signPin.toUpperCase() === secrets.signPin, 'wrong_pin');
    if (pins.authPin !== undefined) {
      if (!row.authentication_certificate) throw new InvalidInputError('no_certificate', 'this card has no user-authentication certificate');
      await this.#checkPin(row, 'auth_pin_attempts_left', pins.authPin === secrets.authPin, 'wrong_auth_pin');
    }
    const { card } = await this.open(id);
    return {
      signature: { certificate: card.readSignatureCertificate(secrets.signPin), signature: card.signChallenge('signature', secrets.signPin, challenge) },
      ...(pins.authPin !== undefined
        ? { authentication: { certificate: card.readAuthenticationCertificate(), signature: card.signChallenge('authentication', secrets.authPin, challenge) } }
        : {}),
    };
  }

  /** The card's check of one PIN against its stored retry counter: a right PIN resets it, three wrong ones lock it. */
  async #checkPin(row: CardRow, counter: 'sign_pin_attempts_left' | 'auth_pin_attempts_left', right: boolean, wrongReason: 'wrong_pin' | 'wrong_auth_pin'): Promise<void> {
    if (row[counter] <= 0) throw new ForbiddenError('pin_locked', 'the PIN is locked; reset it at the municipal office');
    if (!right) {
      const left = row[counter] - 1;
      await this.#db(TABLE).where({ id: row.id }).update({ [counter]: left });
      if (left <= 0) throw new ForbiddenError('pin_locked', 'wrong PIN; the PIN is now locked');
      throw new InvalidInputError(wrongReason, 'wrong PIN', { attempts_left: left });
    }
    if (row[counter] !== DEV_CARD_PIN_ATTEMPTS) await this.#db(TABLE).where({ id: row.id }).update({ [counter]: DEV_CARD_PIN_ATTEMPTS });
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
    if (!row) throw new NotFoundError('card_not_found', 'no such virtual card');
    return row;
  }

  #secrets(row: CardRow): Secrets {
    return JSON.parse(this.#box.openText(row.secrets_sealed, `jpki-dev-card:${row.id}`)) as Secrets;
  }
}
