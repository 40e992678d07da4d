/**
 * Judging a wallet's answer to the bus's request: the direct_post body (OpenID4VP 1.0 §8.2), the
 * presentation verified by the SD-JWT core against PASS's keys and status list, then the one fact
 * the discount needs. A verdict carries the facts received — only what the resident disclosed and
 * the core verified — and, when refused, the reason.
 */
import { isPresentationError, verifyPresentation, type VerifiedPresentation } from '../../src/wallet/sd-jwt/index.ts';
import { PassError } from '../../src/core/errors.ts';
import { AGE_CLAIM, AGE_QUERY_ID, AGE_VCT } from './request.ts';
import type { PassIssuerTrust } from './issuer-trust.ts';
import { BUS_REASONS } from './reasons.ts';

/** The facility's policy for an online verifier: a status list fetched within the last 5 minutes. */
export const MAX_STATUS_LIST_AGE_SECONDS = 300;
/** Longer than any state or presentation PASS's wallet sends; the core limits the presentation itself. */
const MAX_FIELD = 64 * 1024;

export type Received = Record<string, unknown>;

export type Verdict = { accepted: true; received: Received } | { accepted: false; reason: string; received: Received };

export type DirectPost = { state: string; vpToken: string } | { state: string; error: string };

const STATE = /^[A-Za-z0-9_-]{16,128}$/;

/** The state of a direct_post body, or undefined when there is none worth looking up. */
export function stateOf(body: Record<string, unknown>): string | undefined {
  return typeof body.state === 'string' && STATE.test(body.state) ? body.state : undefined;
}

/** The body's vp_token or error, or a refusal reason. */
export function readDirectPost(body: Record<string, unknown>, state: string): DirectPost | { reason: 'response_malformed' } {
  const { vp_token: vpToken, error } = body;
  if (typeof error === 'string' && vpToken === undefined && error.length <= 256) return { state, error };
  if (typeof vpToken !== 'string' || vpToken.length > MAX_FIELD || error !== undefined) return { reason: 'response_malformed' };
  return { state, vpToken };
}

/** The one presentation for the age query: vp_token is `{"age": ["<sd-jwt>"]}` (DCQL, one credential, not multiple). */
export function presentationOf(vpToken: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(vpToken);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const keys = Object.keys(parsed);
  const answer = (parsed as Record<string, unknown>)[AGE_QUERY_ID];
  if (keys.length !== 1 || !Array.isArray(answer) || answer.length !== 1 || typeof answer[0] !== 'string') return undefined;
  return answer[0];
}

export interface JudgeOptions {
  trust: PassIssuerTrust;
  audience: string;
  nonce: string;
  now: Date;
}

async function verify(presentation: string, options: JudgeOptions, freshKeys: boolean): Promise<VerifiedPresentation> {
  const { trust } = options;
  return verifyPresentation(presentation, {
    trustedIssuers: [await trust.metadata(freshKeys)],
    audience: options.audience,
    nonce: options.nonce,
    now: options.now,
    acceptedVcts: [AGE_VCT],
    requestedClaims: [AGE_CLAIM],
    statusList: (uri) => trust.statusList(uri),
    maxStatusListAgeSeconds: MAX_STATUS_LIST_AGE_SECONDS,
  });
}

export async function judgePresentation(presentation: string, options: JudgeOptions): Promise<Verdict> {
  let verified: VerifiedPresentation;
  try {
    try {
      verified = await verify(presentation, options, false);
    } catch (error) {
      // A key PASS published after the bus last fetched its keys (rotation): fetch once more.
      if (!(isPresentationError(error) && error.reason === 'credential_signature_invalid' && options.trust.mayRefresh())) throw error;
      verified = await verify(presentation, options, true);
    }
  } catch (error) {
    if (isPresentationError(error) || (error instanceof PassError && BUS_REASONS.has(error.reason))) return { accepted: false, reason: (error as PassError).reason, received: {} };
    throw error;
  }
  const received: Received = { ...verified.claims };
  const value = verified.claims[AGE_CLAIM];
  if (value === true) return { accepted: true, received };
  return { accepted: false, reason: value === false ? 'not_eligible' : 'age_not_disclosed', received };
}
