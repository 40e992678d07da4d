/**
 * The short-lived secrets of OpenID4VCI's pre-authorized code flow, in the transient store PASS
 * uses across nodes (Redis, or the database without it): only SHA-256 digests are keys, so a
 * leaked store gives no usable code or token.
 *   pre-authorized code — one use, 5 minutes, bound to the person, the configuration and the account that asked;
 *   access token        — what the code is exchanged for; bound to the same, for one credential;
 *   c_nonce             — one use, minutes; the holder's proof must carry one PASS handed out. The
 *                         nonce endpoint is open to anyone, so a nonce is stateless (random, expiry and
 *                         an HMAC): nothing is stored until an authenticated credential request spends it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TransientStore } from '../identity/proofing/transient-store.ts';
import { isConfigurationId, type ConfigurationId } from './credential-types.ts';

export const PRE_AUTHORIZED_CODE_SECONDS = 300;
export const ACCESS_TOKEN_SECONDS = 300;
export const NONCE_SECONDS = 300;

export interface OfferGrant {
  personId: string;
  configurationId: ConfigurationId;
  /** The account that asked for the offer (the person's own, or their household's representative). */
  accountId: string;
}

const digest = (value: string): string => createHash('sha256').update(value).digest('base64url');
const secret = (): string => randomBytes(32).toString('base64url');

function parseGrant(text: string | undefined): OfferGrant | undefined {
  if (!text) return undefined;
  const value = JSON.parse(text) as Partial<OfferGrant>;
  if (typeof value.personId !== 'string' || typeof value.accountId !== 'string' || !isConfigurationId(value.configurationId)) return undefined;
  return { personId: value.personId, accountId: value.accountId, configurationId: value.configurationId };
}

export interface GrantOptions {
  /** Keys the nonces' HMAC; the same on every node. */
  nonceKey: string;
  now?: () => Date;
}

const NONCE = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

export class WalletGrants {
  readonly #store: TransientStore;
  readonly #nonceKey: string;
  readonly #now: () => Date;

  constructor(store: TransientStore, options: GrantOptions) {
    this.#store = store;
    this.#nonceKey = options.nonceKey;
    this.#now = options.now ?? (() => new Date());
  }

  #nonceMac(random: string, expires: string): Buffer {
    return createHmac('sha256', this.#nonceKey).update(`pass-wallet-c-nonce\n${random}.${expires}`).digest();
  }

  async newPreAuthorizedCode(grant: OfferGrant): Promise<string> {
    const code = secret();
    await this.#store.put(`wallet:code:${digest(code)}`, JSON.stringify(grant), PRE_AUTHORIZED_CODE_SECONDS);
    return code;
  }

  /** Redeems a code once: the grant it was for, or undefined (unknown, used or expired). */
  async redeemCode(code: string): Promise<OfferGrant | undefined> {
    return parseGrant(await this.#store.take(`wallet:code:${digest(code)}`));
  }

  async newAccessToken(grant: OfferGrant): Promise<string> {
    const token = secret();
    await this.#store.put(`wallet:token:${digest(token)}`, JSON.stringify(grant), ACCESS_TOKEN_SECONDS);
    return token;
  }

  /** The grant of a live token, left in place (a request refused for a stale nonce may be retried with it). */
  async tokenGrant(token: string): Promise<OfferGrant | undefined> {
    return parseGrant(await this.#store.peek(`wallet:token:${digest(token)}`));
  }

  /** Uses the token up; false when another request did first. */
  async spendToken(token: string): Promise<boolean> {
    return (await this.#store.take(`wallet:token:${digest(token)}`)) !== undefined;
  }

  async newNonce(): Promise<string> {
    const random = randomBytes(16).toString('base64url');
    const expires = String(Math.floor(this.#now().getTime() / 1000) + NONCE_SECONDS);
    return `${random}.${expires}.${this.#nonceMac(random, expires).toString('base64url')}`;
  }

  /** True once for a nonce PASS handed out and that has not expired. */
  async spendNonce(nonce: string): Promise<boolean> {
    const parts = NONCE.exec(nonce);
    if (!parts) return false;
    const [, random, expires, mac] = parts as unknown as [string, string, string, string];
    const left = Number(expires) - Math.floor(this.#now().getTime() / 1000);
    if (left <= 0 || left > NONCE_SECONDS) return false;
    if (!timingSafeEqual(Buffer.from(mac, 'base64url'), this.#nonceMac(random, expires))) return false;
    return this.#store.claim(`wallet:nonce:${digest(nonce)}`, left);
  }
}
