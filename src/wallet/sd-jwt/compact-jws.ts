/**
 * A compact JWS (header.payload.signature) taken apart without trusting it: both JSON parts must
 * be objects, the signature strict base64url. Nothing here checks the signature (jws-signature.ts).
 */
import { decodeBase64url, decodeBase64urlText } from './base64url.ts';
import { refuse } from './errors.ts';
import { parseJsonObject, type JsonObject } from './json.ts';
import type { PresentationReason } from './reasons.ts';

export interface CompactJws {
  header: JsonObject;
  payload: JsonObject;
  /** `header.payload` as sent: what the signature covers. */
  signingInput: string;
  signature: Uint8Array<ArrayBuffer>;
}

const PART = /^[A-Za-z0-9_-]+$/;
// An empty signature is let through to the alg check, so `alg: none` is refused by name rather than as noise.
const SIGNATURE_PART = /^[A-Za-z0-9_-]*$/;

export function parseCompactJws(text: string, reason: PresentationReason, what: string): CompactJws {
  const parts = text.split('.');
  if (parts.length !== 3 || !PART.test(parts[0]!) || !PART.test(parts[1]!) || !SIGNATURE_PART.test(parts[2]!)) throw refuse(reason, `${what} is not a compact JWS`);
  const [headerText, payloadText, signatureText] = parts as [string, string, string];
  return {
    header: parseJsonObject(decodeBase64urlText(headerText, reason, `${what} header`), reason, `${what} header`),
    payload: parseJsonObject(decodeBase64urlText(payloadText, reason, `${what} payload`), reason, `${what} payload`),
    signingInput: `${headerText}.${payloadText}`,
    signature: decodeBase64url(signatureText, reason, `${what} signature`),
  };
}
