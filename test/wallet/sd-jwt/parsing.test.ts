// The parsing layer on its own: strict base64url (one spelling per byte string), the `~` split and
// its bounds, and JSON nesting measured before parsing.
import { randomBytes } from 'node:crypto';
import { decodeBase64url, encodeBase64url, SD_JWT_LIMITS, splitSdJwt } from '../../../src/wallet/sd-jwt/index.ts';
import { jsonDepth, parseJson } from '../../../src/wallet/sd-jwt/json.ts';

test('base64url matches Node on random bytes of every length mod 3, and decodes back', () => {
  for (let n = 0; n < 200; n++) {
    const bytes = randomBytes(n);
    const text = encodeBase64url(bytes);
    expect(text).toBe(bytes.toString('base64url'));
    expect(Buffer.from(decodeBase64url(text, 'presentation_malformed', 't'))).toEqual(bytes);
  }
});

test('base64url refuses padding, the standard alphabet, an impossible length and unused bits set', () => {
  for (const text of ['AA==', 'A+8', 'A/8', 'A', 'AAAAA', 'AB', 'AAB', 'é']) {
    expect(() => decodeBase64url(text, 'presentation_malformed', 't')).toThrow(expect.objectContaining({ reason: 'presentation_malformed' }));
  }
  expect(decodeBase64url('AA', 'presentation_malformed', 't')).toEqual(new Uint8Array([0]));
  expect(decodeBase64url('AAA', 'presentation_malformed', 't')).toEqual(new Uint8Array([0, 0]));
});

test('the split keeps the presented part for sd_hash and tells a KB-JWT from none', () => {
  expect(splitSdJwt('h.p.s~d1~d2~')).toEqual({ issuerJwt: 'h.p.s', disclosures: ['d1', 'd2'], keyBindingJwt: undefined, presented: 'h.p.s~d1~d2~' });
  expect(splitSdJwt('h.p.s~k.b.j')).toEqual({ issuerJwt: 'h.p.s', disclosures: [], keyBindingJwt: 'k.b.j', presented: 'h.p.s~' });
  for (const text of ['h.p.s', '~d~', 'h.p.s~~k', 'h.p.s~d.x~', 'h.p s~']) expect(() => splitSdJwt(text)).toThrow(expect.objectContaining({ reason: 'presentation_malformed' }));
  expect(() => splitSdJwt(`h.p.s~${'d~'.repeat(SD_JWT_LIMITS.maxDisclosures + 1)}`)).toThrow(expect.objectContaining({ reason: 'presentation_too_large' }));
  expect(() => splitSdJwt(`h.p.s~${'A'.repeat(SD_JWT_LIMITS.maxPresentationLength)}~`)).toThrow(expect.objectContaining({ reason: 'presentation_too_large' }));
});

test('JSON nesting is measured on the text, brackets in strings not counted, and bounded before parsing', () => {
  expect(jsonDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
  expect(jsonDepth('"\\"[["')).toBe(0);
  expect(() => parseJson('['.repeat(100_000) + ']'.repeat(100_000), 'presentation_malformed', 't')).toThrow(expect.objectContaining({ reason: 'presentation_too_large' }));
  expect(() => parseJson('{"a":', 'disclosure_invalid', 't')).toThrow(expect.objectContaining({ reason: 'disclosure_invalid' }));
});
