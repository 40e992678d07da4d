/**
 * IETF Token Status List: a signed JWT (`typ: statuslist+jwt`) whose `status_list.lst` is
 * base64url(zlib-deflate(bytes)), `bits` bits per credential, least significant bits first in each
 * byte. Decoding here checks the shape only; the verifier checks the signature, `sub` and time.
 * Inflation uses the platform's DecompressionStream, stopped at a size bound so a small hostile
 * list cannot expand into gigabytes on a kiosk tablet.
 */
import { decodeBase64url } from './base64url.ts';
import { parseCompactJws, type CompactJws } from './compact-jws.ts';
import { refuse } from './errors.ts';
import { isJsonObject } from './json.ts';
import { SD_JWT_LIMITS } from './limits.ts';

export const STATUS_LIST_TYP = 'statuslist+jwt';
const BITS = new Set([1, 2, 4, 8]);

export interface DecodedStatusList {
  bits: 1 | 2 | 4 | 8;
  bytes: Uint8Array;
  /** The URL the list answers for: a credential's `status.status_list.uri`. */
  sub: string;
  iat: number | undefined;
  exp: number | undefined;
  ttl: number | undefined;
  /** The token taken apart, for the signature check. */
  jws: CompactJws;
}

/** zlib (RFC 1950) inflation with a bound on the output. */
export async function inflate(compressed: Uint8Array, maxBytes: number = SD_JWT_LIMITS.maxStatusListBytes): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(compressed);
        controller.close();
      },
    });
    const reader = source.pipeThrough(new DecompressionStream('deflate') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw refuse('status_list_invalid', `the status list inflates beyond ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof Error && 'reason' in error) throw error;
    throw refuse('status_list_invalid', 'the status list is not zlib-compressed');
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

const optionalNumber = (value: unknown, what: string): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw refuse('status_list_invalid', `the status list ${what} is not a number`);
  return value;
};

/** A status list token taken apart and inflated; its signature is not checked here. */
export async function decodeStatusList(token: string): Promise<DecodedStatusList> {
  if (typeof token !== 'string' || token.length > SD_JWT_LIMITS.maxStatusListTokenLength) throw refuse('status_list_invalid', 'the status list token is not text of a bounded size');
  const jws = parseCompactJws(token, 'status_list_invalid', 'the status list token');
  const { payload } = jws;
  if (typeof payload.sub !== 'string') throw refuse('status_list_invalid', 'the status list names no sub');
  const list = payload.status_list;
  if (!isJsonObject(list) || typeof list.bits !== 'number' || !BITS.has(list.bits) || typeof list.lst !== 'string') {
    throw refuse('status_list_invalid', 'the status list has no status_list {bits, lst}');
  }
  return {
    bits: list.bits as 1 | 2 | 4 | 8,
    bytes: await inflate(decodeBase64url(list.lst, 'status_list_invalid', 'the status list lst')),
    sub: payload.sub,
    iat: optionalNumber(payload.iat, 'iat'),
    exp: optionalNumber(payload.exp, 'exp'),
    ttl: optionalNumber(payload.ttl, 'ttl'),
    jws,
  };
}

/** The status at an index: 0 valid, 1 invalid (revoked), 2 suspended, others the issuer's own. */
export function statusAt(list: Pick<DecodedStatusList, 'bits' | 'bytes'>, index: number): number {
  const bit = index * list.bits;
  const byte = list.bytes[Math.floor(bit / 8)];
  if (!Number.isSafeInteger(index) || index < 0 || byte === undefined) throw refuse('status_list_invalid', 'the credential index lies outside the status list');
  return (byte >> (bit % 8)) & ((1 << list.bits) - 1);
}
