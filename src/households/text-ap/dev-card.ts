/**
 * Development only: text-input-support AP cards (the child's My Number Card without a signature
 * certificate), in the style of the development JPKI cards (src/identity/proofing/dev-cards.ts).
 * A development issuer key (kept by identity's development PKI, dev-pki.ts, as kind `text_ap`,
 * private key sealed) certifies each card's data-signing key and card AP key; the files are made
 * the way the card simulator makes them (src/card/simulator/text-ap-files.ts). A read is a card
 * session over APDUs against a simulated text AP (src/card/simulator/text-ap-card.ts): the card
 * checks the 4-digit PIN and signs the challenge with its AP key; this store only keeps the sealed
 * files and key, and the PIN's retry counter (three tries) between sessions. Never used in production.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomInt, type KeyObject } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { storedDevKey } from '../../identity/proofing/dev-pki.ts';
import { ApduChannel } from '../../card/apdu-channel.ts';
import { isCardError } from '../../card/errors.ts';
import { readTextApProof, TEXT_AP_EF } from '../../card/text-ap.ts';
import { myNumberCheckDigit } from '../../card/simulator/issue-simulated-card.ts';
import { simulatedTextApCard } from '../../card/simulator/text-ap-card.ts';
import { buildTextApFiles } from '../../card/simulator/text-ap-files.ts';
import { FamilyError } from '../errors.ts';
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

function randomMyNumber(): string {
  const first = Array.from({ length: 11 }, () => randomInt(10)).join('');
  return `${first}${myNumberCheckDigit(first)}`;
}

function rsa(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
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
    const card = rsa();
    // EF 0001 is made only for its hash in EF 0003; the store never keeps a My Number.
    const files = buildTextApFiles({
      facts: { name: facts.name, address: facts.address, birthdate: facts.birthdate.replaceAll('-', ''), sex: facts.sex },
      myNumber: randomMyNumber(),
      issuer,
      dataKey: rsa(),
      cardKey: card,
    });
    const { ef0002, ef0003, ef0004, ef0007 } = files;
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

  /**
   * What a phone does with the card, as one APDU session against the simulated text AP: the PIN
   * (counter first), EF 0002–0007, and the card's signature over the challenge. The stored counter
   * goes into the card before the session and comes back out after it.
   */
  async read(id: string, pin: string, challenge: Uint8Array): Promise<TextApRead> {
    const row = CARD_ID.test(id) ? ((await this.#db(TABLE).where({ id }).first()) as { data_sealed: string; pin_attempts_left: number } | undefined) : undefined;
    if (!row) throw new FamilyError('card_not_found');
    if (row.pin_attempts_left <= 0) throw new FamilyError('pin_locked');
    const data = JSON.parse(this.#box.openText(row.data_sealed, `text-ap-dev-card:${id}`)) as CardData;
    const card = simulatedTextApCard({
      ef0002: bytes(data.ef0002),
      ef0003: bytes(data.ef0003),
      ef0004: bytes(data.ef0004),
      ef0007: bytes(data.ef0007),
      cardKey: createPrivateKey(data.cardKey),
      pin: data.pin,
      maxTries: ATTEMPTS,
      triesLeft: row.pin_attempts_left,
    });
    try {
      return await readTextApProof(new ApduChannel(card), { pin, challenge });
    } catch (error) {
      // The card library keeps a PIN that is not 4 digits from the card; this route has always
      // counted one as a wrong PIN, and still does.
      if (isCardError(error, 'invalid_pin')) return this.#spentOnMalformedPin(id, row.pin_attempts_left);
      if (isCardError(error, 'pin_locked')) throw new FamilyError('pin_locked');
      if (isCardError(error, 'wrong_pin')) throw new FamilyError('wrong_pin', { attempts_left: error.triesLeft ?? 0 });
      throw error;
    } finally {
      const left = card.triesLeft('text', TEXT_AP_EF.pin);
      if (left !== undefined && left !== row.pin_attempts_left) await this.#db(TABLE).where({ id }).update({ pin_attempts_left: left });
    }
  }

  async #spentOnMalformedPin(id: string, before: number): Promise<never> {
    const left = before - 1;
    await this.#db(TABLE).where({ id }).update({ pin_attempts_left: left });
    throw left <= 0 ? new FamilyError('pin_locked') : new FamilyError('wrong_pin', { attempts_left: left });
  }
}
