import mount from 'koa-mount';
import Provider, { type Configuration } from 'oidc-provider';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import type { Logger } from '../core/logger.ts';
import type { Config } from '../config/load-config.ts';
import type { SigningKeys } from './keys/signing-keys.ts';

type ConfigurationFor = (jwks: { keys: Record<string, unknown>[] }) => Configuration;

/**
 * Holds the running oidc-provider. oidc-provider reads its keys once, at construction, so a key
 * change (rotation on any node) builds a new Provider and swaps it in; requests in flight finish
 * on the old one. All provider state is in the adapter, so nothing is lost in the swap.
 */
export class ProviderHost {
  readonly #config: Config;
  readonly #keys: SigningKeys;
  readonly #configurationFor: ConfigurationFor;
  readonly #log: Logger;
  readonly #onBuild: (provider: Provider) => void;
  #provider!: Provider;
  #middleware!: Middleware;
  #fingerprint = '';
  #timer: NodeJS.Timeout | undefined;

  constructor(options: {
    config: Config;
    keys: SigningKeys;
    configurationFor: ConfigurationFor;
    log: Logger;
    onBuild?: (provider: Provider) => void;
  }) {
    this.#config = options.config;
    this.#keys = options.keys;
    this.#configurationFor = options.configurationFor;
    this.#log = options.log;
    this.#onBuild = options.onBuild ?? (() => {});
  }

  get provider(): Provider {
    return this.#provider;
  }

  /** Koa middleware that always delegates to the current provider. */
  readonly middleware: Middleware = (ctx, next) => this.#middleware(ctx, next);

  async start(): Promise<void> {
    await this.reloadIfChanged();
    this.#timer = setInterval(() => {
      this.reloadIfChanged().catch((error: unknown) => this.#log.error({ err: error }, 'signing key refresh failed'));
    }, this.#config.keyRefreshSeconds * 1000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Rebuilds the provider when the stored key set differs from the one it runs with. */
  async reloadIfChanged(): Promise<boolean> {
    const fingerprint = await this.#keys.fingerprint();
    if (fingerprint === this.#fingerprint) return false;
    const jwks = await this.#keys.providerJwks();
    const provider = new Provider(this.#config.issuer, this.#configurationFor(jwks as { keys: Record<string, unknown>[] }));
    provider.proxy = this.#config.trustProxy;
    this.#onBuild(provider);
    this.#provider = provider;
    this.#middleware = mount(provider as unknown as Koa);
    const changed = this.#fingerprint !== '';
    this.#fingerprint = fingerprint;
    if (changed) this.#log.info({ kids: jwks.keys.map((k) => k.kid) }, 'signing keys reloaded');
    return true;
  }
}
