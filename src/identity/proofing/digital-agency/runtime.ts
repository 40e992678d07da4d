/**
 * The proofing capability's part for the Digital Agency's app: the relying party from
 * configuration (src/config/digital-agency.ts), its API, and — in development with nothing
 * configured — the stand-in authorization server, served by this PASS under its own issuer and
 * trusting PASS's stored development key as the registered client's.
 */
import { hkdfSync } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Redis } from 'ioredis';
import type { Config } from '../../../config/load-config.ts';
import type { Database } from '../../../db/database.ts';
import type { Logger } from '../../../core/logger.ts';
import type { SecretBox } from '../../../core/secret-box.ts';
import type { JpkiVerifier } from '../../../jpki/index.ts';
import { DEMO_RESIDENTS } from '../../../jpki/demo-residents.ts';
import { loadDevelopmentCas } from '../dev-pki.ts';
import type { TransientStore } from '../transient-store.ts';
import { DigitalAgencyProofing } from './digital-agency-proofing.ts';
import { developmentKey, loadConfiguredKey } from './keys.ts';
import { createDigitalAgencyClient } from './relying-party.ts';
import { digitalAgencyRoutes } from './routes.ts';
import { standInRoutes } from './stand-in/authorization-server.ts';
import { PhoneCards } from './stand-in/phone-card.ts';

export interface DigitalAgencyPartsDeps {
  config: Config;
  db: Database;
  box: SecretBox;
  log: Logger;
  store: TransientStore;
  redis: Redis | undefined;
  /** requireApiToken(…, ['pass:api']) */
  auth: Middleware;
  verifier: JpkiVerifier;
  /** Whether the development JPKI CA is the trust anchor (the stand-in's cards chain to it). */
  developmentCa: boolean;
}

export interface DigitalAgencyParts {
  service: DigitalAgencyProofing | undefined;
  middleware: Middleware[];
}

const asMiddleware = (router: { routes(): unknown; allowedMethods(): unknown }): Middleware[] =>
  // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
  [router.routes(), router.allowedMethods()] as unknown as Middleware[];

export async function digitalAgencyParts(deps: DigitalAgencyPartsDeps): Promise<DigitalAgencyParts> {
  const { config, db, box, log, store } = deps;
  const settings = config.digitalAgency;
  const middleware: Middleware[] = [];
  let service: DigitalAgencyProofing | undefined;
  if (settings?.standIn && (config.production || !deps.developmentCa)) {
    log.warn('the Digital Agency stand-in needs the development JPKI CA (no JPKI_TRUST_ANCHORS); proofing through the app is off');
  } else if (settings) {
    const key = settings.signingKey ? await loadConfiguredKey(settings.signingKey) : await developmentKey(db, box, 'digital-agency-rp');
    const client = await createDigitalAgencyClient({ issuer: settings.issuer, clientId: settings.clientId, redirectUri: settings.redirectUri, key });
    service = new DigitalAgencyProofing({ db, box, store, client, identityHashKey: config.identityHashKey, environment: settings.environment, log });
    if (settings.standIn) {
      const standIn = standInRoutes({
        issuer: settings.issuer,
        client: { clientId: settings.clientId, redirectUris: [settings.redirectUri], publicJwk: key.publicJwk },
        signingKey: await developmentKey(db, box, 'digital-agency-stand-in'),
        subjectSecret: new Uint8Array(hkdfSync('sha256', config.identityHashKey, 'pass-da-stand-in', 'PASS Digital Agency stand-in subject v1', 32)),
        cards: new PhoneCards(await loadDevelopmentCas(db, box), deps.verifier, DEMO_RESIDENTS),
        store,
        production: config.production,
      });
      middleware.push(...asMiddleware(standIn));
    }
    // The key id tells the operator which public key the Digital Agency must have registered.
    log.info({ issuer: settings.issuer, environment: settings.environment, standIn: settings.standIn, kid: key.kid, alg: key.alg }, 'identity proofing through the Digital Agency\'s app is on');
  }
  middleware.push(...asMiddleware(digitalAgencyRoutes({ service, auth: deps.auth, redis: deps.redis })));
  return { service, middleware };
}
