/**
 * Publishing status lists (IETF Token Status List): one bit per credential, set = revoked, as a
 * JWT (`typ: statuslist+jwt`) signed by the issuer's current key, whose `sub` is its own URL. An
 * online verifier fetches a fresh one after `ttl` (WALLET_STATUS_LIST_TTL_SECONDS); `exp`
 * (WALLET_STATUS_LIST_EXPIRY_SECONDS, a week) is how long an offline verifier may go on using the one it
 * holds — a kiosk's own, shorter limit is its facility's policy. A node keeps the one it made for a
 * short while, and forgets it at once when a credential of that list is revoked (on every node,
 * through the event bus), so an online verifier sees a revocation on its next fetch.
 */
import { SignJWT } from 'jose';
import { createHeaderAndPayload, StatusList, type StatusListJWTHeaderParameters } from '@sd-jwt/jwt-status-list';
import type { Knex } from 'knex';
import type { EventBus } from '../core/event-bus.ts';
import type { WalletKeys } from './issuer-keys.ts';
import { revokedIndices, statusListExists } from './credential-store.ts';
import { WALLET_REASONS } from './reasons.ts';

export const STATUS_CHANNEL = 'wallet-status-lists';
export const STATUS_LIST_PATH = '/wallet/status-lists';
export const STATUS_LIST_MEDIA_TYPE = 'application/statuslist+jwt';
/** The longest a node serves a token it made before making a fresh one (bounded by the token's own life). */
const MEMORY_SECONDS = 30;

export function statusListUri(issuer: string, listId: string): string {
  return `${issuer}${STATUS_LIST_PATH}/${listId}`;
}

export interface PublishedList {
  token: string;
  /** Seconds an HTTP cache may keep this answer. */
  maxAge: number;
}

export class StatusLists {
  readonly #db: Knex;
  readonly #keys: WalletKeys;
  readonly #bus: EventBus;
  readonly #issuer: string;
  readonly #ttl: number;
  readonly #expiry: number;
  readonly #made = new Map<string, { token: string; until: number }>();

  constructor(deps: { db: Knex; keys: WalletKeys; bus: EventBus; issuer: string; ttlSeconds: number; expirySeconds: number }) {
    this.#db = deps.db;
    this.#keys = deps.keys;
    this.#bus = deps.bus;
    this.#issuer = deps.issuer;
    this.#ttl = deps.ttlSeconds;
    this.#expiry = Math.max(deps.expirySeconds, deps.ttlSeconds);
  }

  async start(): Promise<void> {
    await this.#bus.subscribe(STATUS_CHANNEL, (listId) => this.#made.delete(listId));
  }

  #memorySeconds(): number {
    return Math.min(MEMORY_SECONDS, Math.floor(this.#ttl / 2));
  }

  /** The signed list, or status_list_not_found. */
  async token(listId: string, now = new Date()): Promise<PublishedList> {
    const made = this.#made.get(listId);
    if (made && made.until > now.getTime()) return { token: made.token, maxAge: Math.max(0, Math.floor((made.until - now.getTime()) / 1000)) };
    const list = await statusListExists(this.#db, listId);
    if (!list) throw WALLET_REASONS.refuse('status_list_not_found');
    const bits = new StatusList(new Array<number>(list.size).fill(0), 1);
    for (const index of await revokedIndices(this.#db, listId)) bits.setStatus(index, 1);
    const key = await this.#keys.signingKey();
    const iat = Math.floor(now.getTime() / 1000);
    const { header, payload } = createHeaderAndPayload(
      bits,
      { sub: statusListUri(this.#issuer, listId), iat, exp: iat + this.#expiry, ttl: this.#ttl, iss: this.#issuer },
      { alg: 'ES256', typ: 'statuslist+jwt', kid: key.kid } as StatusListJWTHeaderParameters,
    );
    const token = await new SignJWT(payload as Record<string, unknown>).setProtectedHeader(header as StatusListJWTHeaderParameters).sign(key.privateKey);
    const memory = this.#memorySeconds();
    this.#made.set(listId, { token, until: now.getTime() + memory * 1000 });
    return { token, maxAge: memory };
  }

  /** After revocations: every node makes these lists afresh on their next fetch. */
  async changed(listIds: Iterable<string>): Promise<void> {
    for (const id of new Set(listIds)) {
      this.#made.delete(id);
      await this.#bus.publish(STATUS_CHANNEL, id);
    }
  }
}
