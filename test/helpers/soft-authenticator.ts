import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software WebAuthn authenticator for tests and the benchmark (no browser): a platform
 * authenticator with user verification, holding ES256 (P-256) discoverable credentials in memory.
 * It answers what navigator.credentials.create()/get() would hand a page, as the JSON that
 * @simplewebauthn/browser posts (RegistrationResponseJSON / AuthenticationResponseJSON), with
 * attestation "none". Only node:crypto signs; CBOR is @simplewebauthn's own encoder.
 */

/** COSE (RFC 9053) labels and values of an EC2 P-256 ES256 public key. */
const COSE_KTY = 1;
const COSE_ALG = 3;
const COSE_CRV = -1;
const COSE_X = -2;
const COSE_Y = -3;
const COSE_KTY_EC2 = 2;
const COSE_ALG_ES256 = -7;
const COSE_CRV_P256 = 1;

/** authenticatorData flags (WebAuthn §6.1). */
const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

const AAGUID_NONE = new Uint8Array(16);

/** One credential the authenticator holds; `credentials()` exports these and `addCredential()` takes them. */
export interface SoftCredential {
  /** Credential id, base64url (what the RP stores as `credential_id`). */
  id: string;
  rpId: string;
  /** The WebAuthn user.id, base64url, as in PublicKeyCredentialCreationOptionsJSON.user.id; sent back as userHandle. */
  userId: string;
  /** The ES256 private key (P-256); several credentials may share one. */
  privateKey: KeyObject;
  /** The public key as COSE_Key bytes (what the RP stores, e.g. passkeys.public_key). */
  publicKey: Uint8Array<ArrayBuffer>;
  /** Signature counter: the last value signed (0 when registered, incremented before each assertion). */
  counter: number;
  /** Backup eligible and backed up (a synced passkey, device_type multiDevice); false: single device. */
  backedUp: boolean;
}

export interface SoftAuthenticatorOptions {
  /** Credentials made by this authenticator are synced passkeys (BE and BS set). Default false. */
  backedUp?: boolean;
}

/** base64url of a text's UTF-8 bytes: PASS's WebAuthn user.id / userHandle for an account id. */
export function userIdOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A fresh random credential id, base64url (16 bytes, as many platform authenticators make). */
export function newCredentialId(): string {
  return randomBytes(16).toString('base64url');
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/** The collected client data a browser signs over: the ceremony, the RP's challenge and the page's origin. */
function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

/** A ceremony's answer as the browser hands it to the RP: this credential, a platform authenticator, no extensions. */
function answerOf<R>(credential: SoftCredential, response: R) {
  return { id: credential.id, rawId: credential.id, type: 'public-key' as const, authenticatorAttachment: 'platform' as const, clientExtensionResults: {}, response };
}

/** The COSE_Key of a P-256 public key: {1: 2, 3: -7, -1: 1, -2: x, -3: y}. */
export function coseOfP256(publicKey: KeyObject): Uint8Array<ArrayBuffer> {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('coseOfP256: not a P-256 public key');
  const cose = new Map<number, number | Uint8Array>([
    [COSE_KTY, COSE_KTY_EC2],
    [COSE_ALG, COSE_ALG_ES256],
    [COSE_CRV, COSE_CRV_P256],
    [COSE_X, new Uint8Array(Buffer.from(jwk.x, 'base64url'))],
    [COSE_Y, new Uint8Array(Buffer.from(jwk.y, 'base64url'))],
  ]);
  return new Uint8Array(isoCBOR.encode(cose));
}

export class SoftAuthenticator {
  readonly #credentials = new Map<string, SoftCredential>();
  /** `${rpId}\n${userId}` → credential ids, newest last: the discoverable credentials per account. */
  readonly #byUser = new Map<string, string[]>();
  readonly #backedUp: boolean;

  constructor(options: SoftAuthenticatorOptions = {}) {
    this.#backedUp = options.backedUp ?? false;
  }

  /**
   * navigator.credentials.create(): a new discoverable ES256 credential for options.rp.id and
   * options.user.id, user present and verified, attestation "none", counter 0. Refuses (like an
   * authenticator's InvalidStateError) when it already holds one of options.excludeCredentials
   * for that RP, and when the RP does not accept ES256.
   */
  register(options: PublicKeyCredentialCreationOptionsJSON, origin: string): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(origin).hostname;
    if (!options.pubKeyCredParams.some((p) => p.type === 'public-key' && p.alg === COSE_ALG_ES256)) {
      throw new Error('SoftAuthenticator: the RP does not accept ES256 (-7)');
    }
    for (const excluded of options.excludeCredentials ?? []) {
      if (this.#credentials.get(excluded.id)?.rpId === rpId) {
        throw new Error('SoftAuthenticator: InvalidStateError: the authenticator already holds an excluded credential');
      }
    }
    const credential = this.create(rpId, options.user.id);
    const rawId = Buffer.from(credential.id, 'base64url');
    const credentialIdLength = Buffer.alloc(2);
    credentialIdLength.writeUInt16BE(rawId.length);
    const authenticatorData = Buffer.concat([
      sha256(rpId),
      Buffer.of(FLAG_UP | FLAG_UV | FLAG_AT | this.#backupFlags(credential)),
      uint32(0),
      AAGUID_NONE,
      credentialIdLength,
      rawId,
      credential.publicKey,
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Map<string, number>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, number>()],
        ['authData', new Uint8Array(authenticatorData)],
      ]),
    );
    const clientDataJSON = clientData('webauthn.create', options.challenge, origin);
    const spki = createPublicKey(credential.privateKey).export({ format: 'der', type: 'spki' });
    return answerOf(credential, {
      clientDataJSON: clientDataJSON.toString('base64url'),
      attestationObject: b64url(attestationObject),
      authenticatorData: authenticatorData.toString('base64url'),
      transports: ['internal', 'hybrid'],
      publicKeyAlgorithm: COSE_ALG_ES256,
      publicKey: spki.toString('base64url'),
    });
  }

  /**
   * navigator.credentials.get(): an assertion for options.rpId (else the origin's host) by one
   * of options.allowCredentials this authenticator holds, or, when the list is empty, by a
   * discoverable credential for the RP: the one of `select.userId` (base64url user.id, see
   * userIdOf) when given; without it the RP must have exactly one (a browser would ask the
   * user to choose, so a test must say). The counter is incremented; the signature is ECDSA
   * P-256/SHA-256, DER-encoded, over authenticatorData ‖ SHA-256(clientDataJSON).
   */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    origin: string,
    select: { userId?: string; credentialId?: string } = {},
  ): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(origin).hostname;
    const credential = this.#pick(rpId, options, select);
    credential.counter += 1;
    const authenticatorData = Buffer.concat([sha256(rpId), Buffer.of(FLAG_UP | FLAG_UV | this.#backupFlags(credential)), uint32(credential.counter)]);
    const clientDataJSON = clientData('webauthn.get', options.challenge, origin);
    const signature = sign('sha256', Buffer.concat([authenticatorData, sha256(clientDataJSON)]), credential.privateKey);
    return answerOf(credential, {
      clientDataJSON: clientDataJSON.toString('base64url'),
      authenticatorData: authenticatorData.toString('base64url'),
      signature: signature.toString('base64url'),
      userHandle: credential.userId,
    });
  }

  /**
   * A new credential for an RP and user without a ceremony (for seeding: the RP's row is then
   * written directly from `publicKey` and `id`). `privateKey` reuses a key pair (e.g. another
   * credential's), so that many accounts can be seeded with one key and distinct credential ids.
   */
  create(rpId: string, userId: string, privateKey?: KeyObject): SoftCredential {
    const key = privateKey ?? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    return this.addCredential({ id: newCredentialId(), rpId, userId, privateKey: key, counter: 0, backedUp: this.#backedUp });
  }

  /**
   * Imports a credential (e.g. from another authenticator's `credentials()`, or a template with
   * a new id and user). The public key is derived from the private key when not given.
   */
  addCredential(credential: Omit<SoftCredential, 'publicKey' | 'counter' | 'backedUp'> & Partial<Pick<SoftCredential, 'publicKey' | 'counter' | 'backedUp'>>): SoftCredential {
    if (this.#credentials.has(credential.id)) throw new Error(`SoftAuthenticator: credential ${credential.id} is already held`);
    const privateKey = credential.privateKey;
    if (privateKey.type !== 'private' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error('SoftAuthenticator: a credential needs a P-256 private key');
    }
    const stored: SoftCredential = {
      id: credential.id,
      rpId: credential.rpId,
      userId: credential.userId,
      privateKey,
      publicKey: credential.publicKey ?? coseOfP256(createPublicKey(privateKey)),
      counter: credential.counter ?? 0,
      backedUp: credential.backedUp ?? this.#backedUp,
    };
    this.#credentials.set(stored.id, stored);
    const key = `${stored.rpId}\n${stored.userId}`;
    this.#byUser.set(key, [...(this.#byUser.get(key) ?? []), stored.id]);
    return stored;
  }

  /** Every credential held (live objects: their counters move with each assertion). */
  credentials(): SoftCredential[] {
    return [...this.#credentials.values()];
  }

  credential(id: string): SoftCredential | undefined {
    return this.#credentials.get(id);
  }

  /** Forgets a credential (the user deleted the passkey on the device). */
  remove(id: string): boolean {
    const credential = this.#credentials.get(id);
    if (!credential) return false;
    this.#credentials.delete(id);
    const key = `${credential.rpId}\n${credential.userId}`;
    const left = (this.#byUser.get(key) ?? []).filter((c) => c !== id);
    if (left.length) this.#byUser.set(key, left);
    else this.#byUser.delete(key);
    return true;
  }

  #backupFlags(credential: SoftCredential): number {
    return credential.backedUp ? FLAG_BE | FLAG_BS : 0;
  }

  #pick(rpId: string, options: PublicKeyCredentialRequestOptionsJSON, select: { userId?: string; credentialId?: string }): SoftCredential {
    const allowed = options.allowCredentials ?? [];
    let candidates: SoftCredential[];
    if (allowed.length) {
      candidates = allowed.map((d) => this.#credentials.get(d.id)).filter((c): c is SoftCredential => c?.rpId === rpId);
    } else if (select.userId !== undefined) {
      candidates = (this.#byUser.get(`${rpId}\n${select.userId}`) ?? []).map((id) => this.#credentials.get(id)!);
    } else {
      candidates = [...this.#credentials.values()].filter((c) => c.rpId === rpId);
    }
    if (select.userId !== undefined) candidates = candidates.filter((c) => c.userId === select.userId);
    if (select.credentialId !== undefined) candidates = candidates.filter((c) => c.id === select.credentialId);
    if (candidates.length === 0) throw new Error(`SoftAuthenticator: NotAllowedError: no credential for ${rpId}${select.userId ? ` and user ${select.userId}` : ''}`);
    if (candidates.length > 1 && !allowed.length) {
      throw new Error(`SoftAuthenticator: ${candidates.length} discoverable credentials for ${rpId}: say which (select.userId or select.credentialId)`);
    }
    return candidates[0]!;
  }
}
