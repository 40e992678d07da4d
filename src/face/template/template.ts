import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TemplateError } from '../errors.ts';
import type { TemplateKeyring } from './keyring.ts';

/*
 * Sealed template, format version 1 (all integers unsigned, floats little-endian):
 *
 *   "PFT" | 0x01 | keyIdLen u8 | keyId utf8 | modelIdLen u8 | modelId utf8 | iv 12 B | ciphertext | tag 16 B
 *
 * The ciphertext is AES-256-GCM over the embedding as float32 LE. The additional authenticated
 * data is the header (magic through modelId) followed by the caller's context string, so neither
 * the key id, the model id nor the owner (context, e.g. "person:<id>") can be altered or the blob
 * moved to another person without decryption failing.
 */

const MAGIC = [0x50, 0x46, 0x54];
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealOptions {
  keyring: TemplateKeyring;
  modelId: string;
  /** Binds the template to its owner; the same string must be given to open it. */
  context?: string;
}

export interface OpenOptions {
  keyring: TemplateKeyring;
  context?: string;
}

export interface OpenedTemplate {
  embedding: Float32Array;
  modelId: string;
  keyId: string;
}

interface Header {
  keyId: string;
  modelId: string;
  headerLength: number;
}

export function sealTemplate(embedding: Float32Array, options: SealOptions): Uint8Array {
  const keyId = options.keyring.activeKeyId;
  const key = options.keyring.keys.get(keyId);
  if (!key) throw new TemplateError('template_key_unknown', `active template key ${keyId} is missing`);
  const header = encodeHeader(keyId, options.modelId);
  const plain = new Uint8Array(embedding.length * 4);
  const view = new DataView(plain.buffer);
  for (let i = 0; i < embedding.length; i++) view.setFloat32(i * 4, embedding[i]!, true);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(header, options.context));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  const tag = cipher.getAuthTag();
  return new Uint8Array(Buffer.concat([header, iv, body, tag]));
}

export function openTemplate(sealed: Uint8Array, options: OpenOptions): OpenedTemplate {
  const { keyId, modelId, headerLength } = parseHeader(sealed);
  const key = options.keyring.keys.get(keyId);
  if (!key) throw new TemplateError('template_key_unknown', `template key ${keyId} is not in the keyring`);
  const bodyLength = sealed.length - headerLength - IV_BYTES - TAG_BYTES;
  if (bodyLength <= 0 || bodyLength % 4 !== 0) throw new TemplateError('template_malformed', 'template has an invalid length');
  const iv = sealed.subarray(headerLength, headerLength + IV_BYTES);
  const body = sealed.subarray(headerLength + IV_BYTES, headerLength + IV_BYTES + bodyLength);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad(sealed.subarray(0, headerLength), options.context));
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new TemplateError('template_auth_failed', 'template failed authentication (wrong key, owner or tampered data)');
  }
  const view = new DataView(plain.buffer, plain.byteOffset, plain.length);
  const embedding = new Float32Array(plain.length / 4);
  for (let i = 0; i < embedding.length; i++) embedding[i] = view.getFloat32(i * 4, true);
  return { embedding, modelId, keyId };
}

/** Reads the key id without decrypting, to find templates that still need re-encryption after a rotation. */
export function templateKeyId(sealed: Uint8Array): string {
  return parseHeader(sealed).keyId;
}

/** Re-encrypts under the active key; returns undefined when the template already uses it. */
export function resealTemplate(sealed: Uint8Array, options: OpenOptions): Uint8Array | undefined {
  if (templateKeyId(sealed) === options.keyring.activeKeyId) return undefined;
  const opened = openTemplate(sealed, options);
  return sealTemplate(opened.embedding, { keyring: options.keyring, modelId: opened.modelId, context: options.context });
}

function encodeHeader(keyId: string, modelId: string): Buffer {
  const k = Buffer.from(keyId, 'utf8');
  const m = Buffer.from(modelId, 'utf8');
  if (k.length === 0 || k.length > 255 || m.length === 0 || m.length > 255) {
    throw new TemplateError('template_malformed', 'key id and model id must be 1-255 bytes');
  }
  return Buffer.concat([Buffer.from(MAGIC), Buffer.from([VERSION, k.length]), k, Buffer.from([m.length]), m]);
}

function parseHeader(sealed: Uint8Array): Header {
  const bad = () => new TemplateError('template_malformed', 'not a PASS face template');
  if (sealed.length < 6 || MAGIC.some((b, i) => sealed[i] !== b)) throw bad();
  if (sealed[3] !== VERSION) throw new TemplateError('template_malformed', `unsupported template version ${sealed[3]}`);
  const k = sealed[4]!;
  const mAt = 5 + k;
  if (sealed.length < mAt + 1) throw bad();
  const m = sealed[mAt]!;
  const headerLength = mAt + 1 + m;
  if (sealed.length < headerLength + IV_BYTES + TAG_BYTES) throw bad();
  const text = new TextDecoder('utf-8', { fatal: true });
  try {
    return { keyId: text.decode(sealed.subarray(5, mAt)), modelId: text.decode(sealed.subarray(mAt + 1, headerLength)), headerLength };
  } catch {
    throw bad();
  }
}

function aad(header: Uint8Array, context: string | undefined): Buffer {
  return Buffer.concat([header, Buffer.from(context ?? '', 'utf8')]);
}
