/**
 * An SD-JWT taken apart at its `~`s: `<issuer-jwt>~<disclosure>~…~[<kb-jwt>]`. Size and counts are
 * checked here, first, before anything is decoded.
 */
import { refuse } from './errors.ts';
import { SD_JWT_LIMITS } from './limits.ts';

export interface SplitSdJwt {
  issuerJwt: string;
  /** The disclosures as sent (base64url text): their digests are over this text. */
  disclosures: string[];
  /** The key-binding JWT, when the last part is not empty. */
  keyBindingJwt: string | undefined;
  /** Everything up to and including the last `~`: what a KB-JWT's sd_hash covers. */
  presented: string;
}

const ALLOWED = /^[A-Za-z0-9_.~-]+$/;

export function splitSdJwt(text: unknown): SplitSdJwt {
  if (typeof text !== 'string') throw refuse('presentation_malformed', 'the presentation is not text');
  if (text.length > SD_JWT_LIMITS.maxPresentationLength) throw refuse('presentation_too_large', `the presentation is longer than ${SD_JWT_LIMITS.maxPresentationLength} characters`);
  if (!ALLOWED.test(text)) throw refuse('presentation_malformed', 'the presentation has characters outside base64url, "." and "~"');
  const last = text.lastIndexOf('~');
  if (last < 0) throw refuse('presentation_malformed', 'the presentation has no "~": not an SD-JWT');
  const parts = text.split('~');
  if (parts.length - 2 > SD_JWT_LIMITS.maxDisclosures) throw refuse('presentation_too_large', `more than ${SD_JWT_LIMITS.maxDisclosures} disclosures`);
  const issuerJwt = parts[0]!;
  const disclosures = parts.slice(1, -1);
  const tail = parts.at(-1)!;
  if (!issuerJwt || disclosures.some((d) => d === '')) throw refuse('presentation_malformed', 'the presentation has an empty part');
  if (disclosures.some((d) => d.includes('.'))) throw refuse('presentation_malformed', 'a disclosure is not base64url');
  return { issuerJwt, disclosures, keyBindingJwt: tail === '' ? undefined : tail, presented: text.slice(0, last + 1) };
}
