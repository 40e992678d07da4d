import { hkdfSync } from 'node:crypto';
import type { EncryptionKey } from '../../config/load-config.ts';
import { createKeyring } from '../template/keyring.ts';
import type { TemplateKeyring } from '../template/keyring.ts';

const INFO = 'PASS face template v1';

/**
 * The face keyring follows the platform's PASS_ENCRYPTION_KEYS: same key ids, same active key
 * (the first), so one rotation covers everything. Each template key is derived with HKDF-SHA256
 * from the platform key, so a template key never equals a key used for other secrets.
 */
export function faceKeyringFrom(keys: EncryptionKey[]): TemplateKeyring {
  const derived: Record<string, Uint8Array> = {};
  for (const { id, key } of keys) derived[id] = new Uint8Array(hkdfSync('sha256', key, Buffer.alloc(0), INFO, 32));
  return createKeyring({ active: keys[0]!.id, keys: derived });
}

/** Associated data binding a sealed template to its owner. */
export function templateContext(personId: string): string {
  return `person:${personId}`;
}
