/**
 * A virtual My Number Card for development and tests: it holds the keys and certificates of the
 * JPKI-AP and signs the way the card does (JPKI.md §1.1). `signDigestInfo` is the card's raw
 * P1=00 operation (PKCS#1 v1.5 type-1 padding of a caller-built DigestInfo); `signChallenge` is
 * what an app does with it for a PASS challenge. The two produce identical signatures.
 */
import { privateEncrypt, constants } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { JpkiInputError } from './errors.ts';
import { ForbiddenError, InvalidInputError } from '../core/errors.ts';
import { digestInfoForChallenge } from './challenge-signature.ts';

export interface CardKey {
  privateKey: KeyObject;
  certificateDer: Uint8Array;
  pin: string;
}

export interface VirtualCardOptions {
  signature?: CardKey;
  authentication?: CardKey;
  /** Wrong PINs before the application locks; the issue asks for 3 (JPKI.md quotes 5 for the sign PIN). */
  maxPinAttempts?: number;
}

type App = 'signature' | 'authentication';

const SIGN_PIN = /^[A-Z0-9]{6,16}$/;
const AUTH_PIN = /^[0-9]{4}$/;

export class VirtualMyNumberCard {
  private readonly keys: Partial<Record<App, CardKey>>;
  private readonly maxAttempts: number;
  private readonly remaining: Record<App, number>;

  constructor(options: VirtualCardOptions) {
    this.keys = {};
    if (options.signature) this.keys.signature = options.signature;
    if (options.authentication) this.keys.authentication = options.authentication;
    this.maxAttempts = options.maxPinAttempts ?? 3;
    this.remaining = { signature: this.maxAttempts, authentication: this.maxAttempts };
    if (options.signature && !SIGN_PIN.test(options.signature.pin)) throw new Error('sign PIN must be 6–16 uppercase letters or digits');
    if (options.authentication && !AUTH_PIN.test(options.authentication.pin)) throw new Error('authentication PIN must be 4 digits');
  }

  /** Like the retry query APDU: does not consume an attempt. */
  attemptsLeft(app: App): number {
    return this.remaining[app];
  }

  /** EF 0001 is readable only after the sign PIN is verified. */
  readSignatureCertificate(pin: string): Uint8Array {
    return this.verifyPin('signature', pin).certificateDer;
  }

  /** EF 000A is readable without a PIN. */
  readAuthenticationCertificate(): Uint8Array {
    return this.key('authentication').certificateDer;
  }

  signChallenge(app: App, pin: string, challenge: Uint8Array): Uint8Array {
    return this.signDigestInfo(app, pin, digestInfoForChallenge(challenge));
  }

  /** The card operation `80 2A 00 80`: PKCS#1 v1.5 type-1 padding and RSA over the given DigestInfo. */
  signDigestInfo(app: App, pin: string, digestInfo: Uint8Array): Uint8Array {
    if (digestInfo.length > 245) throw new JpkiInputError('invalid_challenge', 'data to sign must be at most 245 bytes');
    const key = this.verifyPin(app, pin);
    return new Uint8Array(privateEncrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo));
  }

  private key(app: App): CardKey {
    const key = this.keys[app];
    if (!key) throw new InvalidInputError('no_certificate', `this card has no ${app} certificate`);
    return key;
  }

  private verifyPin(app: App, pin: string): CardKey {
    const key = this.key(app);
    if (this.remaining[app] <= 0) throw new ForbiddenError('pin_locked', 'the PIN is locked; reset it at the municipal office');
    // A real card upper-cases the sign PIN on the client side; the card compares exactly.
    if (pin !== key.pin) {
      this.remaining[app] -= 1;
      if (this.remaining[app] <= 0) throw new ForbiddenError('pin_locked', 'wrong PIN; the PIN is now locked');
      throw new InvalidInputError('wrong_pin', 'wrong PIN', { attemptsLeft: this.remaining[app] });
    }
    this.remaining[app] = this.maxAttempts;
    return key;
  }
}
