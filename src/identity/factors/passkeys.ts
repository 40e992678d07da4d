/**
 * Passkeys (WebAuthn Level 3, through @simplewebauthn/server): registration from the PASS app's
 * security page, sign-in on PASS's own sign-in page. Discoverable credentials with user
 * verification required, so a passkey alone is two factors (the device, and the PIN or biometric
 * that unlocks it): amr hwk + user. The relying party id is the issuer's host name; the challenge
 * of each ceremony is single-use and bound to what it was issued for (an account's registration, or
 * one sign-in interaction).
 */
import { randomUUID } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Database } from '../../db/database.ts';
import type { TransientStore } from '../proofing/transient-store.ts';
import { InvalidInputError, NotFoundError } from '../../core/errors.ts';

const TABLE = 'passkeys';
/** How long a browser has to finish a ceremony (WebAuthn's own default timeout is 5 minutes). */
const CEREMONY_SECONDS = 300;
const MAX_PASSKEYS = 10;

export interface PasskeySettings {
  /** The relying party id: the issuer's host name (WebAuthn refuses IP addresses). */
  rpId: string;
  rpName: string;
  /** Origins whose pages may run the ceremonies: the issuer's, and where the PASS app is served. */
  origins: string[];
}

export interface Passkey {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  backedUp: boolean;
  deviceType: string;
}

interface PasskeyRow {
  id: string;
  account_id: string;
  credential_id: string;
  public_key: Buffer;
  counter: string | number;
  transports: string[] | string;
  device_type: string;
  backed_up: boolean;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

const toPasskey = (row: PasskeyRow): Passkey => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  backedUp: row.backed_up,
  deviceType: row.device_type,
});

/** WebAuthn user handles are the account id's UTF-8 bytes: nothing personal leaves in them. */
export const userHandleOf = (accountId: string): string => Buffer.from(accountId, 'utf8').toString('base64url');

export class Passkeys {
  readonly #db: Database;
  readonly #store: TransientStore;
  readonly #settings: PasskeySettings;

  constructor(db: Database, store: TransientStore, settings: PasskeySettings) {
    this.#db = db;
    this.#store = store;
    this.#settings = settings;
  }

  get settings(): PasskeySettings {
    return this.#settings;
  }

  async list(accountId: string): Promise<Passkey[]> {
    const rows = await this.#db<PasskeyRow>(TABLE).where({ account_id: accountId }).orderBy('created_at');
    return rows.map(toPasskey);
  }

  async count(accountId: string): Promise<number> {
    const row = await this.#db(TABLE).where({ account_id: accountId }).count<{ n: string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async registrationOptions(accountId: string, userName: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const existing = await this.#db<PasskeyRow>(TABLE).where({ account_id: accountId }).select('credential_id', 'transports');
    if (existing.length >= MAX_PASSKEYS) throw new InvalidInputError('passkey_limit', `at most ${MAX_PASSKEYS} passkeys per account`);
    const options = await generateRegistrationOptions({
      rpName: this.#settings.rpName,
      rpID: this.#settings.rpId,
      userName,
      userID: new Uint8Array(Buffer.from(accountId, 'utf8')),
      attestationType: 'none',
      timeout: CEREMONY_SECONDS * 1000,
      excludeCredentials: existing.map((row) => ({ id: row.credential_id, transports: transportsOf(row) })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: [-7, -8, -257],
    });
    await this.#store.put(`passkey-reg:${accountId}`, options.challenge, CEREMONY_SECONDS);
    return options;
  }

  async register(accountId: string, response: RegistrationResponseJSON, name: string | undefined): Promise<Passkey> {
    const challenge = await this.#store.take(`passkey-reg:${accountId}`);
    if (!challenge) throw new InvalidInputError('passkey_ceremony_expired', 'the passkey registration expired; start again');
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.#settings.origins,
        expectedRPID: this.#settings.rpId,
        requireUserVerification: true,
      });
    } catch {
      throw new InvalidInputError('passkey_invalid', 'the passkey could not be verified');
    }
    if (!verified.verified) throw new InvalidInputError('passkey_invalid', 'the passkey could not be verified');
    const info = verified.registrationInfo;
    const row = {
      id: randomUUID(),
      account_id: accountId,
      credential_id: info.credential.id,
      public_key: Buffer.from(info.credential.publicKey),
      counter: info.credential.counter,
      transports: JSON.stringify(info.credential.transports ?? []),
      device_type: info.credentialDeviceType,
      backed_up: info.credentialBackedUp,
      name: cleanName(name, info.credentialDeviceType),
    };
    const inserted = await this.#db(TABLE).insert(row).onConflict('credential_id').ignore().returning('*');
    if (inserted.length === 0) throw new InvalidInputError('passkey_exists', 'this passkey is registered already');
    return toPasskey(inserted[0] as PasskeyRow);
  }

  async remove(accountId: string, id: string): Promise<void> {
    const removed = await this.#db(TABLE).where({ account_id: accountId, id }).delete();
    if (removed === 0) throw new NotFoundError('passkey_not_found', 'no such passkey');
  }

  /** Options for a sign-in: any discoverable passkey of this site; the challenge is tied to `ceremony`. */
  async authenticationOptions(ceremony: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const options = await generateAuthenticationOptions({ rpID: this.#settings.rpId, userVerification: 'required', timeout: CEREMONY_SECONDS * 1000 });
    await this.#store.put(`passkey-auth:${ceremony}`, options.challenge, CEREMONY_SECONDS);
    return options;
  }

  /**
   * The account a sign-in assertion proves, or a refusal. The challenge is used up either way. A
   * signature counter that goes backwards (a cloned authenticator) is refused; synced passkeys
   * report 0 throughout, which is allowed.
   */
  async authenticate(ceremony: string, response: AuthenticationResponseJSON): Promise<{ accountId: string; passkeyId: string }> {
    const challenge = await this.#store.take(`passkey-auth:${ceremony}`);
    if (!challenge) throw new InvalidInputError('passkey_ceremony_expired', 'the passkey sign-in expired; start again');
    const row = typeof response?.id === 'string' ? await this.#db<PasskeyRow>(TABLE).where({ credential_id: response.id }).first() : undefined;
    if (!row) throw new InvalidInputError('passkey_unknown', 'this passkey is not registered with PASS');
    const handle = response.response?.userHandle;
    if (handle !== undefined && handle !== userHandleOf(row.account_id)) throw new InvalidInputError('passkey_invalid', 'the passkey could not be verified');
    let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: this.#settings.origins,
        expectedRPID: this.#settings.rpId,
        credential: { id: row.credential_id, publicKey: new Uint8Array(row.public_key), counter: Number(row.counter), transports: transportsOf(row) },
        requireUserVerification: true,
      });
    } catch {
      throw new InvalidInputError('passkey_invalid', 'the passkey could not be verified');
    }
    if (!verified.verified) throw new InvalidInputError('passkey_invalid', 'the passkey could not be verified');
    await this.#db(TABLE)
      .where({ id: row.id })
      .update({ counter: verified.authenticationInfo.newCounter, backed_up: verified.authenticationInfo.credentialBackedUp, last_used_at: new Date() });
    return { accountId: row.account_id, passkeyId: row.id };
  }
}

function transportsOf(row: Pick<PasskeyRow, 'transports'>): AuthenticatorTransport[] {
  const value = typeof row.transports === 'string' ? (JSON.parse(row.transports) as unknown) : row.transports;
  return Array.isArray(value) ? (value.filter((t) => typeof t === 'string') as AuthenticatorTransport[]) : [];
}

function cleanName(name: string | undefined, deviceType: string): string {
  const value = (name ?? '').normalize('NFKC').replace(/[\p{Cc}\p{Cf}]/gu, '').trim().slice(0, 64);
  // Empty: the app names it in the resident's language ("パスキー (同期)", "Passkey (this device)").
  return deviceType && value;
}
