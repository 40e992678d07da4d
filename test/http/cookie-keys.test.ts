/**
 * PASS's signed-cookie keys must sign exactly as Keygrip (which Koa and oidc-provider used before):
 * cookies set by an earlier version keep working after an upgrade, and a rotated-out key is still
 * recognised while it is listed.
 */
import Keygrip from 'keygrip';
import { CookieKeys } from '../../src/http/cookie-keys.ts';

const NEWEST = 'newest cookie key with 32 characters';
const OLDER = 'older key, 日本語 too, 32+ characters';

describe('CookieKeys', () => {
  const keys = new CookieKeys([NEWEST, OLDER]);

  test.each(['pass_session=9f8a7c', 'pass_interaction=abc.def', '名前=値', ''])('signs %j as Keygrip does', (data) => {
    expect(keys.sign(data)).toBe(new Keygrip([NEWEST, OLDER]).sign(data));
  });

  test('finds which key signed a cookie, and refuses any other signature', () => {
    const data = 'pass_session=9f8a7c';
    expect(keys.index(data, new Keygrip([NEWEST]).sign(data))).toBe(0);
    expect(keys.index(data, new Keygrip([OLDER]).sign(data))).toBe(1);
    expect(keys.verify(data, new Keygrip(['a key PASS does not hold, 32 chars.']).sign(data))).toBe(false);
    expect(keys.verify(data, keys.sign(`${data}x`))).toBe(false);
    expect(keys.verify(data, keys.sign(data).slice(0, -1))).toBe(false);
    expect(keys.verify(data, '')).toBe(false);
  });
});
