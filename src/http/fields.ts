/** zod fields that several APIs' schemas share. */
import { z } from 'zod';

/** Strict base64 (standard alphabet, padded) of at most maxBytes; the length is checked before decoding. */
export function base64(maxBytes: number) {
  return z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/)
    .transform((value) => new Uint8Array(Buffer.from(value, 'base64')));
}

/** The id of a challenge or a verification PASS handed out. */
export const opaqueId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
