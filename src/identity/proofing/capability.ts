/**
 * Identity proofing with the My Number Card as a PASS capability: its API under
 * /api/identity/jpki, the development virtual card outside production, and a readiness check
 * that says whether every CRL source is fresh enough for a proof now (proofing fails closed
 * without it, so a stale CRL reports JPKI degraded).
 */
import type { Middleware } from 'koa';
import { defineCapability, type CapabilityFactory } from '../../capability.ts';
import { requireApiToken } from '../../oidc/api-auth.ts';
import { createProofingPki } from './pki.ts';
import type { ProofingPki } from './pki.ts';
import { ProofingService } from './proofing-service.ts';
import { createTransientStore } from './transient-store.ts';
import { proofingRoutes } from './routes.ts';
import { devCardRoutes } from './dev-routes.ts';
import { proofingMetrics } from './metrics.ts';
import { digitalAgencyParts } from './digital-agency/runtime.ts';
import type { DigitalAgencyProofing } from './digital-agency/digital-agency-proofing.ts';

export const DEV_CRL_CHANNEL = 'jpki-dev-crl';

export interface ProofingRuntime {
  service: ProofingService;
  pki: ProofingPki;
  /** Proofing from a phone through the Digital Agency's app; undefined where it is off. */
  digitalAgency?: DigitalAgencyProofing;
}

/** The capability judging certificates and CRLs by `now` (PASS runs it on the wall clock; tests move it). */
export function jpkiProofingCapabilityAt(now?: () => Date): CapabilityFactory {
  return defineCapability({
    name: 'jpki-proofing',
    provides: ['proofing'],
    async start({ platform, oidc }) {
      const { config, db, box, redis, log, bus } = platform;
      const pki = await createProofingPki({
        config,
        db,
        box,
        log,
        onDevRevoked: () => bus.publish(DEV_CRL_CHANNEL, 'revoked'),
        ...(now ? { now } : {}),
      });
      const store = createTransientStore(db, redis);
      const service = new ProofingService({
        db,
        box,
        store,
        verifier: pki.verifier,
        identityHashKey: config.identityHashKey,
        challengeTtlSeconds: config.jpki.challengeTtlSeconds,
        log,
        metrics: proofingMetrics(platform.metrics),
      });
      const auth = requireApiToken(() => oidc.host.provider, config.issuer, ['pass:api']);
      const api = proofingRoutes({ service, auth, redis });
      // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
      const middleware = [api.routes(), api.allowedMethods()] as unknown as Middleware[];

      const dev = pki.dev;
      if (dev && !config.production) {
        // A revocation on any node reaches every node's CRL cache.
        await bus.subscribe(DEV_CRL_CHANNEL, () => {
          pki.crl.refresh().catch((error: unknown) => log.warn({ err: error }, 'development CRL refresh failed'));
        });
        const devRoutes = devCardRoutes(dev, auth, config.production);
        middleware.push(...([devRoutes.routes(), devRoutes.allowedMethods()] as unknown as Middleware[]));
      }
      // The phone path: the Digital Agency's app (and, in development, its stand-in).
      const digitalAgency = await digitalAgencyParts({ config, db, box, log, store, redis, auth, verifier: pki.verifier, developmentCa: Boolean(dev) });
      middleware.push(...digitalAgency.middleware);

      return {
        provided: { proofing: { service, pki, ...(digitalAgency.service ? { digitalAgency: digitalAgency.service } : {}) } },
        middleware,
        readiness: [
          {
            name: 'jpki',
            critical: false,
            check: async () => {
              const sources = pki.crl.status();
              const environments = [...new Set(pki.anchors.map((a) => a.environment))].join(', ');
              const anchors = `${pki.anchors.length} trust anchor(s) (${environments})`;
              if (sources.length === 0) return { ok: false, degraded: true, detail: `${anchors}; no CRL source configured` };
              const unusable = await pki.revocation.unusableSources();
              if (unusable.length === 0) return { ok: true, detail: `${anchors}; CRLs fresh ${sources.length}/${sources.length}` };
              return {
                ok: false,
                degraded: true,
                detail:
                  `${anchors}; CRLs usable ${sources.length - unusable.length}/${sources.length}, proofs needing the others answer 503 (fail closed): ` +
                  unusable.map((u) => `${u.source}: ${u.reason}`).join('; ') +
                  ` [JPKI_CRL_MAX_AGE_SECONDS=${config.jpki.crlMaxAgeSeconds}]`,
              };
            },
          },
        ],
      };
    },
  });
}

export const jpkiProofingCapability = jpkiProofingCapabilityAt();
