/**
 * The card bridge of PASS's development start (KIOSK_CARD_SIMULATOR, never in production): the
 * same bridge a kiosk machine runs (src/card/bridge), inside PASS, on the loopback port of
 * KIOSK_CARD_BRIDGE_URL, with the development simulator's reader instead of PC/SC. Its cards are
 * the demo residents' development cards (src/identity/proofing/dev-cards.ts) — the same
 * certificates and keys the demo resident was proofed with, so a check-in finds them and revoking
 * one puts it on the development CRL. The kiosk page pairs with it through PASS Manager and runs
 * the real APDU sequence; a small control on the page puts a card on the reader or takes it off.
 * Loaded only when the simulator is on (capability.ts imports it on demand).
 */
import http from 'node:http';
import { once } from 'node:events';
import { createLocalJWKSet, type JWK } from 'jose';
import type { Logger } from '../core/logger.ts';
import type { DevCardStore } from '../identity/proofing/dev-cards.ts';
import type { SigningKeys } from '../oidc/keys/signing-keys.ts';
import { createBridgeServer, type SimulatorControl } from '../card/bridge/bridge-server.ts';
import { originProblem, type BridgeConfig } from '../card/bridge/config.ts';
import { Pairing } from '../card/bridge/pairing.ts';
import { assertionVerifier } from '../card/bridge/pass-verifier.ts';
import { SimulatorReader } from '../card/simulator/simulator-reader.ts';
import type { SimulatedCard } from '../card/simulator/simulated-card.ts';
import { CardError } from '../card/errors.ts';

export interface DevCardBridgeOptions {
  issuer: string;
  /** KIOSK_CARD_BRIDGE_URL: where the kiosk page looks for it. */
  url: string;
  cards: DevCardStore;
  keys: SigningKeys;
  log: Logger;
  logLevel: BridgeConfig['logLevel'];
}

export interface DevCardBridge {
  url: string;
  reader: SimulatorReader;
  stop(): Promise<void>;
}

/** A demo resident's development card as the simulator holds it: the store's keys, with PIN counters of its own. */
export async function simulatedDemoCard(cards: DevCardStore, id: string): Promise<SimulatedCard> {
  return (await cards.open(id)).card.simulated;
}

/** Starts it, or says why not (the port taken, an issuer the bridge may not be pinned to) and returns undefined. */
export async function startDevCardBridge(options: DevCardBridgeOptions): Promise<DevCardBridge | undefined> {
  const origin = new URL(options.issuer).origin;
  const problem = originProblem(origin, false);
  if (problem) {
    options.log.warn({ issuer: options.issuer, problem }, 'development card bridge not started: its origin cannot be this issuer');
    return undefined;
  }
  const port = Number(new URL(options.url).port || 80);
  const config: BridgeConfig = { origin, host: '127.0.0.1', port, reader: undefined, logLevel: options.logLevel, production: false };
  const reader = new SimulatorReader();
  // Each card keeps its PIN counters while PASS runs, like the chip.
  const made = new Map<string, Promise<SimulatedCard>>();
  const simulator: SimulatorControl = {
    async cards() {
      return (await options.cards.list()).map((c) => ({ id: c.id, label: c.label, revoked: c.revoked }));
    },
    holding: () => reader.holding,
    async put(id) {
      if (!(await options.cards.exists(id))) throw new CardError('no_card', 'no such development card');
      if (!made.has(id)) made.set(id, simulatedDemoCard(options.cards, id));
      const card = await made.get(id)!.catch((error: unknown) => {
        made.delete(id);
        throw error;
      });
      reader.put(card, id);
    },
    take: () => reader.take(),
  };
  // PASS's own public keys, read where they are kept: the same check the kiosk machine's bridge makes over HTTP.
  const verify = async (assertion: string) => {
    const { keys } = await options.keys.providerJwks();
    const publicKeys = (keys as Array<JWK & { key_ops?: string[] }>).map(({ d: _d, key_ops: _ops, ...publicJwk }) => publicJwk);
    return assertionVerifier(options.issuer, createLocalJWKSet({ keys: publicKeys }))(assertion);
  };
  const server: http.Server = createBridgeServer({ config, session: reader, pairing: new Pairing(verify), log: options.log, simulator });
  server.listen(port, '127.0.0.1');
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  } catch (error) {
    options.log.warn({ err: error, url: options.url }, 'development card bridge not started');
    return undefined;
  }
  options.log.info({ url: options.url }, 'development card bridge with the card simulator: pair the kiosk page through PASS Manager, then put a demo card on its reader');
  return {
    url: options.url,
    reader,
    async stop() {
      reader.take();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
