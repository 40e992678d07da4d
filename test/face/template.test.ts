import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '../../src/core/errors.ts';
import { TemplateError } from '../../src/face/errors.ts';
import { createKeyring } from '../../src/face/template/keyring.ts';
import { openTemplate, resealTemplate, sealTemplate, templateKeyId } from '../../src/face/template/template.ts';
import { l2normalize } from '../../src/face/match/vector.ts';

const key1 = randomBytes(32).toString('base64');
const key2 = randomBytes(32).toString('base64url');
const keyring = createKeyring({ active: 'k1', keys: { k1: key1 } });
const rotated = createKeyring({ active: 'k2', keys: { k1: key1, k2: key2 } });
const embedding = l2normalize(Float32Array.from({ length: 512 }, (_, i) => Math.sin(i)));
const modelId = 'mobilefacenet_512@87aacdfe5751';

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return (err as TemplateError).reason;
  }
  throw new Error('expected a TemplateError');
}

test('seal and open round-trip the embedding, model id and key id', () => {
  const sealed = sealTemplate(embedding, { keyring, modelId, context: 'person:42' });
  expect(sealed.length).toBe(3 + 1 + 1 + 2 + 1 + modelId.length + 12 + 512 * 4 + 16);
  const opened = openTemplate(sealed, { keyring, context: 'person:42' });
  expect(opened).toEqual({ embedding, modelId, keyId: 'k1' });
  expect(templateKeyId(sealed)).toBe('k1');
});

test('the ciphertext does not contain the embedding and differs each time', () => {
  const a = sealTemplate(embedding, { keyring, modelId });
  const b = sealTemplate(embedding, { keyring, modelId });
  expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  const plain = Buffer.from(embedding.buffer);
  expect(Buffer.from(a).includes(plain.subarray(0, 16))).toBe(false);
});

test('a wrong key, an unknown key id, another owner or any flipped byte fail cleanly', () => {
  const sealed = sealTemplate(embedding, { keyring, modelId, context: 'person:42' });
  const wrongKey = createKeyring({ active: 'k1', keys: { k1: randomBytes(32) } });
  expect(reasonOf(() => openTemplate(sealed, { keyring: wrongKey, context: 'person:42' }))).toBe('template_auth_failed');
  expect(reasonOf(() => openTemplate(sealed, { keyring: createKeyring({ active: 'k2', keys: { k2: key2 } }), context: 'person:42' }))).toBe('template_key_unknown');
  expect(reasonOf(() => openTemplate(sealed, { keyring, context: 'person:43' }))).toBe('template_auth_failed');
  // Flip one byte in each region: model id (header), iv, ciphertext, tag.
  for (const at of [8, 8 + modelId.length + 1, 60, sealed.length - 1]) {
    const tampered = Uint8Array.from(sealed);
    tampered[at]! ^= 0x01;
    expect(reasonOf(() => openTemplate(tampered, { keyring, context: 'person:42' }))).toBe('template_auth_failed');
  }
  expect(reasonOf(() => openTemplate(sealed.subarray(0, 20), { keyring }))).toBe('template_malformed');
  expect(reasonOf(() => openTemplate(new Uint8Array([1, 2, 3, 4, 5, 6, 7]), { keyring }))).toBe('template_malformed');
});

test('key rotation: old templates stay readable and are resealed under the active key', () => {
  const old = sealTemplate(embedding, { keyring, modelId, context: 'person:7' });
  expect(openTemplate(old, { keyring: rotated, context: 'person:7' }).keyId).toBe('k1');
  const resealed = resealTemplate(old, { keyring: rotated, context: 'person:7' })!;
  expect(templateKeyId(resealed)).toBe('k2');
  expect(openTemplate(resealed, { keyring: rotated, context: 'person:7' }).embedding).toEqual(embedding);
  expect(resealTemplate(resealed, { keyring: rotated, context: 'person:7' })).toBeUndefined();
});

test('keyring configuration errors are reported together', () => {
  expect(() => createKeyring({ active: 'k9', keys: { k1: randomBytes(16), 'bad id': key1 } })).toThrow(ConfigurationError);
  try {
    createKeyring({ active: 'k9', keys: { k1: randomBytes(16), 'bad id': key1 } });
  } catch (err) {
    expect((err as ConfigurationError).problems).toHaveLength(3);
  }
});
