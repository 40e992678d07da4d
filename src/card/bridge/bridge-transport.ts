/**
 * The kiosk page's side of the card bridge: a `CardTransport` over the bridge's HTTP API, with
 * `fetch` only (no Node API), so the page and Node tests use the same code. A refusal the bridge
 * answers with a card reason (`card_removed`, `no_card`, `no_reader` …) becomes that CardError;
 * one of the bridge's own (`not_paired`, `origin_not_allowed` …) a PassError with its reason, which
 * the card channel reports as `transport_error` with it as the cause.
 */
import type { PassError } from '../../core/errors.ts';
import { fromHex, toHex } from '../bytes.ts';
import { CardError } from '../errors.ts';
import { CARD_REASONS } from '../reasons.ts';
import type { CardTransport } from '../transport.ts';
import { BRIDGE_REASONS } from './reasons.ts';

export interface BridgeTransportOptions {
  /** The bridge, e.g. "http://127.0.0.1:47213". */
  baseUrl: string;
  /** From `pairWithBridge`. */
  token: string;
  /** How long one request may take (a signature on a slow card included); default 15 s. */
  timeoutMs?: number;
  /** A fetch that sends the page's Origin (the browser's own does). */
  fetch?: typeof fetch;
}

export interface BridgeStatusAnswer {
  reader: string | null;
  card_present: boolean;
}

/** The first step of pairing (pairing.ts): the bridge's nonce, which PASS signs into its answer. */
export async function requestPairingNonce(baseUrl: string, fetcher: typeof fetch = fetch): Promise<string> {
  const body = (await call(fetcher, `${baseUrl}/pair/nonce`, { method: 'POST' })) as { nonce?: unknown };
  if (typeof body.nonce !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(body.nonce)) throw new CardError('transport_error', 'the bridge answered without a nonce');
  return body.nonce;
}

/** Hands PASS's signed answer to the bridge; resolves with the token for BridgeTransport. */
export async function pairWithBridge(baseUrl: string, assertion: string, fetcher: typeof fetch = fetch): Promise<string> {
  const body = (await call(fetcher, `${baseUrl}/pair`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ assertion }) })) as { token?: unknown };
  if (typeof body.token !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(body.token)) throw new CardError('transport_error', 'the bridge answered without a token');
  return body.token;
}

export class BridgeTransport implements CardTransport {
  readonly #baseUrl: string;
  readonly #headers: Record<string, string>;
  readonly #fetch: typeof fetch;

  constructor(options: BridgeTransportOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/$/, '');
    this.#headers = { Authorization: `Bearer ${options.token}` };
    const fetcher = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
    const timeoutMs = options.timeoutMs ?? 15_000;
    // A bridge that stops answering must not hold the kiosk screen forever.
    this.#fetch = (input, init) => fetcher(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  }

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const body = (await this.#call('/apdu', { apdu: toHex(apdu) })) as { response?: unknown };
    if (!isResponseHex(body.response)) throw new CardError('malformed_response', 'the bridge answered an APDU in a form not expected');
    return fromHex(body.response);
  }

  /** Several commands in one request, in order (none of them may depend on an earlier answer). */
  async transmitBatch(apdus: readonly Uint8Array[]): Promise<Uint8Array[]> {
    const body = (await this.#call('/apdu', { apdus: apdus.map(toHex) })) as { responses?: unknown };
    const responses = body.responses;
    if (!Array.isArray(responses) || responses.length !== apdus.length || !responses.every(isResponseHex)) {
      throw new CardError('malformed_response', 'the bridge answered an APDU batch in a form not expected');
    }
    return responses.map((hex) => fromHex(hex));
  }

  async status(): Promise<BridgeStatusAnswer> {
    const body = (await call(this.#fetch, `${this.#baseUrl}/status`, { headers: this.#headers })) as BridgeStatusAnswer;
    return { reader: typeof body.reader === 'string' ? body.reader : null, card_present: body.card_present === true };
  }

  /** Ends the card session with a reset, so a PIN verified in it is gone before the next resident. */
  async release(): Promise<void> {
    await this.#call('/release', undefined);
  }

  #call(path: string, body: unknown): Promise<unknown> {
    const headers = body === undefined ? this.#headers : { ...this.#headers, 'Content-Type': 'application/json' };
    return call(this.#fetch, `${this.#baseUrl}${path}`, { method: 'POST', headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  }
}

/** Hex of at least SW1 SW2, and no longer than the largest response APDU. */
const isResponseHex = (value: unknown): value is string => typeof value === 'string' && value.length <= 2 * (65_536 + 2) && /^(?:[0-9A-Fa-f]{2}){2,}$/.test(value);

async function call(fetcher: typeof fetch, url: string, init: RequestInit): Promise<unknown> {
  let response: Response;
  try {
    response = await fetcher(url, init);
  } catch (error) {
    // A browser reports a CORS refusal and a bridge that is not running alike: no answer.
    throw new CardError('transport_error', 'the card bridge could not be reached', {}, { cause: error });
  }
  if (response.status === 204) return {};
  const body = (await response.json().catch(() => ({}))) as { reason?: unknown; attempts_left?: unknown };
  if (response.ok) return body;
  const reason = typeof body.reason === 'string' ? body.reason : '';
  if (CARD_REASONS.has(reason)) throw new CardError(reason, `the card bridge answered ${reason}`);
  if (BRIDGE_REASONS.has(reason)) throw refusal(reason, body);
  throw new CardError('transport_error', `the card bridge answered HTTP ${response.status}`);
}

function refusal(reason: Parameters<typeof BRIDGE_REASONS.refuse>[0], body: { attempts_left?: unknown }): PassError {
  return BRIDGE_REASONS.refuse(reason, undefined, typeof body.attempts_left === 'number' ? { attempts_left: body.attempts_left } : undefined);
}
