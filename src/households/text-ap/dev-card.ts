/**
 * Development only: virtual text-input-support AP cards (the child's My Number Card without a
 * signature certificate), in the style of the virtual JPKI cards (src/identity/proofing/dev-cards.ts).
 * A development issuer key (kept by identity's development PKI, dev-pki.ts, as kind `text_ap`,
 * private key sealed) certifies each card's data-signing key and card AP key; the 4-digit PIN is
 * checked by the "card" with three attempts, kept in the database like the real card's retry
 * counter. Never used in production.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { storedDevKey } from '../../identity/proofing/dev-pki.ts';
import { FamilyError } from '../errors.ts';
import { encodeEf0002, ef0002HashedPart, TAG, tlv, type TextApFacts } from './format.ts';
import type { TextApRead } from './verify.ts';

export const DEV_TEXT_AP_KEY_ID = 'PASS-DEV-TEXTAP-1';
export const DEV_TEXT_AP_PIN = '1234';
const TABLE = 'text_ap_dev_cards';
const ATTEMPTS = 3;
const CARD_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

interface CardData {
  ef0002: string;
  ef0003: string;
  ef0004: string;
  ef0007: string;
  cardKey: string;
  pin: string;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

function rsa(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
}

function spkiDer(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

/** The development issuer key, created once per installation. */
export async function loadDevTextApIssuer(db: Database, box: SecretBox): Promise<{ keyId: string; privateKey: KeyObject; publicKey: KeyObject }> {
  const pem = await storedDevKey(db, box, 'text_ap', () => {
    const pair = rsa();
    return {
      certificatePem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  });
  return { keyId: DEV_TEXT_AP_KEY_ID, privateKey: createPrivateKey(pem.privateKeyPem), publicKey: createPublicKey(pem.certificatePem) };
}

export interface DevTextCardSummary {
  id: string;
  label: string;
  locked: boolean;
}

export class DevTextApCards {
  readonly #db: Database;
  readonly #box: SecretBox;

  constructor(db: Database, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  /** Issues a card for synthetic facts (birthdate ISO); returns its id. */
  async issue(facts: { name: string; address: string; birthdate: string; sex: '1' | '2' | '3' | '9' }, options: { id?: string; label?: string; pin?: string } = {}): Promise<string> {
    const id = options.id ?? `text-${randomBytes(6).toString('hex')}`;
    if (!CARD_ID.test(id)) throw new FamilyError('invalid_request');
    const issuer = await loadDevTextApIssuer(this.#db, this.#box);
    const data = rsa();
    const card = rsa();
    const cardFacts: TextApFacts = { name: facts.name, address: facts.address, birthdate: facts.birthdate.replaceAll('-', ''), sex: facts.sex };
    const ef0002 = encodeEf0002(cardFacts);
    const certifiedBody = Buffer.concat([tlv(TAG.caKeyId, Buffer.from(issuer.keyId, 'latin1')), tlv(TAG.publicKey, spkiDer(data.publicKey))]);
    const ef0004 = tlv(TAG.cvc, certifiedBody, tlv(TAG.cvcSignature, sign('sha256', certifiedBody, issuer.privateKey)));
    // EF 0003: the header already counts the 256-byte signature that follows the signed part.
    const hashes = Buffer.concat([
      tlv(TAG.hashEf0001, createHash('sha256').update(randomBytes(16)).digest()), // stands in for the My Number file PASS never reads
      tlv(TAG.hashEf0002, createHash('sha256').update(ef0002HashedPart(ef0002)).digest()),
    ]);
    const sigLength = tlv(TAG.signature, new Uint8Array(256)).length;
    const header = tlv(TAG.ef0003, new Uint8Array(hashes.length + sigLength)).subarray(0, -(hashes.length + sigLength));
    const signedPart = Buffer.concat([header, hashes]);
    const ef0003 = Buffer.concat([signedPart, tlv(TAG.signature, sign('sha256', signedPart, data.privateKey))]);
    const cardKey = spkiDer(card.publicKey);
    const ef0007 = tlv(TAG.ef0007, tlv(TAG.cardKey, cardKey), tlv(TAG.issuerSignature, sign('sha256', cardKey, issuer.privateKey)));
    const sealed: CardData = {
      ef0002: b64(ef0002),
      ef0003: b64(ef0003),
      ef0004: b64(ef0004),
      ef0007: b64(ef0007),
      cardKey: card.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      pin: options.pin ?? DEV_TEXT_AP_PIN,
    };
    await this.#db(TABLE).insert({ id, label: options.label ?? facts.name, data_sealed: this.#box.seal(JSON.stringify(sealed), `text-ap-dev-card:${id}`), pin_attempts_left: ATTEMPTS });
    return id;
  }

  async exists(id: string): Promise<boolean> {
    return CARD_ID.test(id) && Boolean(await this.#db(TABLE).where({ id }).first('id'));
  }

  async list(): Promise<DevTextCardSummary[]> {
    const rows = (await this.#db(TABLE).orderBy('created_at').select('id', 'label', 'pin_attempts_left')) as Array<{ id: string; label: string; pin_attempts_left: number }>;
    return rows.map((r) => ({ id: r.id, label: r.label, locked: r.pin_attempts_left <= 0 }));
  }

  /** What a phone does with the card: verify the 4-digit PIN, read EF 0002–0007, sign the challenge. */
  async read(id: string, pin: string, challenge: Uint8Array): Promise<TextApRead> {
    const row = CARD_ID.test(id) ? ((await this.#db(TABLE).where({ id }).first()) as { data_sealed: string; pin_attempts_left: number } | undefined) : undefined;
    if (!row) throw new FamilyError('card_not_found');
    if (row.pin_attempts_left <= 0) throw new FamilyError('pin_locked');
    const data = JSON.parse(this.#box.openText(row.data_sealed, `text-ap-dev-card:${id}`)) as CardData;
    if (!/^\d{4}$/.test(pin) || pin !== data.pin) {
      const left = row.pin_attempts_left - 1;
      await this.#db(TABLE).where({ id }).update({ pin_attempts_left: left });
      throw left <= 0 ? new FamilyError('pin_locked') : new FamilyError('wrong_pin', { attempts_left: left });
    }
    if (row.pin_attempts_left !== ATTEMPTS) await this.#db(TABLE).where({ id }).update({ pin_attempts_left: ATTEMPTS });
    return {
      ef0002: bytes(data.ef0002),
      ef0003: bytes(data.ef0003),
      ef0004: bytes(data.ef0004),
      ef0007: bytes(data.ef0007),
      challengeSignature: new Uint8Array(sign('sha256', challenge, createPrivateKey(data.cardKey))),
    };
  }
}
