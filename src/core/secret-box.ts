import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../config/load-config.ts';
import { PassError } from './errors.ts';

/**
 * AES-256-GCM with a key id in front, so keys rotate: the first key of the ring encrypts, any key
 * of the ring decrypts what it once encrypted. Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url).
 */
export class SecretBox {
  readonly #keys: Map<string, Buffer>;
  readonly #active: EncryptionKey;

  constructor(keys: EncryptionKey[]) {
    if (keys.length === 0) throw new PassError('configuration', 'no_encryption_key', 'at least one encryption key is required');
    this.#keys = new Map(keys.map((k) => [k.id, k.key]));
    this.#active = keys[0]!;
  }

  get activeKeyId(): string {
    return this.#active.id;
  }

  seal(plaintext: Buffer | string, associatedData = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#active.key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
    return ['v1', this.#active.id, ...parts].join('.');
  }

  open(sealed: string, associatedData = ''): Buffer {
    const [version, keyId, iv, tag, body] = sealed.split('.');
    const key = keyId === undefined ? undefined : this.#keys.get(keyId);
    if (version !== 'v1' || !key || iv === undefined || tag === undefined || body === undefined) {
      throw new PassError('internal', 'undecryptable', `cannot decrypt: unknown format or key id "${keyId ?? ''}"`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(associatedData));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    } catch {
      throw new PassError('internal', 'undecryptable', `cannot decrypt with key "${keyId}": wrong key or tampered data`);
    }
  }

  openText(sealed: string, associatedData = ''): string {
    return this.open(sealed, associatedData).toString('utf8');
  }
}
