import type { AdapterPayload } from '../adapter/types.ts';

const TTL_MS = 30_000;

/**
 * oidc-provider looks its client up on every request; reading PostgreSQL and decrypting the secret
 * each time was a third of a token request's cost. Entries live 30 s and are dropped at once, on
 * every node, when a client changes (the `clients` event).
 */
export class ClientCache {
  readonly #entries = new Map<string, { value: AdapterPayload | undefined; expires: number }>();

  async get(clientId: string, load: () => Promise<AdapterPayload | undefined>): Promise<AdapterPayload | undefined> {
    const hit = this.#entries.get(clientId);
    if (hit && hit.expires > Date.now()) return hit.value;
    // Frozen: oidc-provider only reads client metadata, and one shared copy must never change.
    const value = deepFreeze(await load());
    this.#entries.set(clientId, { value, expires: Date.now() + TTL_MS });
    if (this.#entries.size > 10_000) this.#entries.delete(this.#entries.keys().next().value!);
    return value;
  }

  forget(clientId: string): void {
    this.#entries.delete(clientId);
  }
}

export const CLIENTS_CHANNEL = 'clients';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
