/**
 * The requests the bus has made and not yet seen answered, and the answers waiting for the rider's
 * browser. Each request belongs to the browser that started it (the digest of a random cookie), so
 * a response code alone — which passes through the wallet's hands — shows nothing to anyone else.
 * A state is taken once: a second answer to it is a replay. Kept in this process's memory: the
 * demo runs as one node (a bus operator's real verifier keeps these in its own store).
 */
import { createHash, randomBytes } from 'node:crypto';
import { REQUEST_TTL_SECONDS } from './request.ts';

/** Enough for a busy demo; beyond it the oldest entries go first. */
const MAX_ENTRIES = 10_000;

export interface PendingRequest {
  state: string;
  nonce: string;
  flow: string;
  expiresAt: number;
}

export interface Settled<V> {
  flow: string;
  responseCode: string;
  verdict: V;
  expiresAt: number;
}

export const flowDigest = (cookie: string): string => createHash('sha256').update(`bus-flow\u0000${cookie}`).digest('base64url');
const random = (): string => randomBytes(32).toString('base64url');

/** Map insertion order is age order: the first entries are the oldest. */
function bound<K, V>(map: Map<K, V>): void {
  while (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as K);
}

export class PendingRequests<V> {
  readonly #pending = new Map<string, PendingRequest>();
  /** By flow digest. */
  readonly #settled = new Map<string, Settled<V>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#pending) if (entry.expiresAt <= now) this.#pending.delete(key);
    for (const [key, entry] of this.#settled) if (entry.expiresAt <= now) this.#settled.delete(key);
  }

  /** A new request for the browser holding `cookie`: a fresh state and nonce. */
  open(cookie: string): PendingRequest {
    this.#sweep();
    const flow = flowDigest(cookie);
    // One request per browser at a time: a new one forgets the previous answer.
    this.#settled.delete(flow);
    const request = { state: random(), nonce: random(), flow, expiresAt: this.#now() + REQUEST_TTL_SECONDS * 1000 };
    this.#pending.set(request.state, request);
    bound(this.#pending);
    return request;
  }

  /** The request this state names, removed: undefined when unknown, answered already or expired. */
  take(state: string): PendingRequest | undefined {
    const request = this.#pending.get(state);
    this.#pending.delete(state);
    return request && request.expiresAt > this.#now() ? request : undefined;
  }

  /** Keeps the verdict for the browser that made the request; returns the response code for its result page. */
  settle(request: PendingRequest, verdict: V): string {
    const responseCode = random();
    this.#settled.delete(request.flow);
    this.#settled.set(request.flow, { flow: request.flow, responseCode, verdict, expiresAt: this.#now() + REQUEST_TTL_SECONDS * 1000 });
    bound(this.#settled);
    return responseCode;
  }

  /**
   * The verdict for this browser's request: with a response code, only if it is the one handed out
   * (same-device, the wallet followed the redirect); without one (cross-device), whatever answer came.
   */
  outcome(cookie: string | undefined, responseCode: string | undefined): Settled<V> | undefined {
    if (!cookie) return undefined;
    const settled = this.#settled.get(flowDigest(cookie));
    if (!settled || settled.expiresAt <= this.#now()) return undefined;
    if (responseCode !== undefined && responseCode !== settled.responseCode) return undefined;
    return settled;
  }

  /** Whether this browser has a request still waiting for its answer. */
  waiting(cookie: string | undefined): boolean {
    if (!cookie) return false;
    const flow = flowDigest(cookie);
    const now = this.#now();
    for (const request of this.#pending.values()) if (request.flow === flow && request.expiresAt > now) return true;
    return false;
  }
}
