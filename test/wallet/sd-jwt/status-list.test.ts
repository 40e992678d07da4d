// Token Status List decoding in the core (DecompressionStream, no zlib binding) against lists made
// by @sd-jwt/jwt-status-list (pako): every index read back, 2-bit lists, and the bounds that keep a
// hostile list from costing a kiosk more than it should.
import { deflateSync } from 'node:zlib';
import { StatusList } from '@sd-jwt/jwt-status-list';
import { SignJWT } from 'jose';
import { decodeStatusList, statusAt, SD_JWT_LIMITS } from '../../../src/wallet/sd-jwt/index.ts';
import { inflate } from '../../../src/wallet/sd-jwt/status-list.ts';
import { makeIssuer, STATUS_URI, statusListToken } from './fixtures.ts';

const issuer = makeIssuer();

async function tokenWith(statusList: unknown, sub: unknown = STATUS_URI): Promise<string> {
  return new SignJWT({ sub, status_list: statusList } as Record<string, unknown>).setProtectedHeader({ typ: 'statuslist+jwt', alg: 'ES256', kid: issuer.kid }).sign(issuer.privateKey);
}

test('a 1-bit list made by @sd-jwt/jwt-status-list reads back at every index', async () => {
  const revoked = [0, 3, 8, 1000, 4095];
  const decoded = await decodeStatusList(await statusListToken(issuer, { size: 4096, revoked }));
  expect(decoded).toMatchObject({ bits: 1, sub: STATUS_URI });
  expect(decoded.bytes).toHaveLength(512);
  expect(decoded.exp).toBeGreaterThan(decoded.iat!);
  for (let i = 0; i < 4096; i++) expect(statusAt(decoded, i)).toBe(revoked.includes(i) ? 1 : 0);
  expect(() => statusAt(decoded, 4096)).toThrow(expect.objectContaining({ reason: 'status_list_invalid' }));
  expect(() => statusAt(decoded, -1)).toThrow(expect.objectContaining({ reason: 'status_list_invalid' }));
});

test('a 2-bit list reads suspended (2) and invalid (1) apart', async () => {
  const list = new StatusList(new Array<number>(64).fill(0), 2);
  list.setStatus(5, 2);
  list.setStatus(6, 1);
  list.setStatus(63, 3);
  const decoded = await decodeStatusList(await tokenWith({ bits: 2, lst: list.compressStatusList() }));
  expect([statusAt(decoded, 4), statusAt(decoded, 5), statusAt(decoded, 6), statusAt(decoded, 63)]).toEqual([0, 2, 1, 3]);
});

test('a list that inflates past the bound is refused without inflating it all', async () => {
  const bomb = deflateSync(new Uint8Array(SD_JWT_LIMITS.maxStatusListBytes + 1), { level: 9 });
  expect(bomb.length).toBeLessThan(10_000);
  await expect(inflate(bomb)).rejects.toMatchObject({ reason: 'status_list_invalid' });
  await expect(decodeStatusList(await tokenWith({ bits: 1, lst: bomb.toString('base64url') }))).rejects.toMatchObject({ reason: 'status_list_invalid' });
});

test.each([
  ['not a JWT', 'nonsense'],
  ['raw deflate instead of zlib', async () => tokenWith({ bits: 1, lst: Buffer.from([0x03, 0x00]).toString('base64url') })],
  ['a truncated zlib stream', async () => tokenWith({ bits: 1, lst: deflateSync(new Uint8Array(100)).subarray(0, 5).toString('base64url') })],
  ['bits 3', async () => tokenWith({ bits: 3, lst: deflateSync(new Uint8Array(1)).toString('base64url') })],
  ['no status_list', async () => tokenWith(undefined)],
  ['no sub', async () => tokenWith({ bits: 1, lst: deflateSync(new Uint8Array(1)).toString('base64url') }, 42)],
  ['lst not base64url', async () => tokenWith({ bits: 1, lst: 'eJ+/' })],
])('%s is refused as status_list_invalid', async (_name, make) => {
  const token = typeof make === 'string' ? make : await make();
  await expect(decodeStatusList(token)).rejects.toMatchObject({ reason: 'status_list_invalid' });
});
