/**
 * The face factor as a PASS capability: the /api/face routes, the "face" readiness check, the
 * in-memory galleries (loaded at start, following changes on every node) and the inference
 * workers. Without models PASS starts all the same: /readyz says why face is unavailable and the
 * API answers `models_unavailable`.
 */
import os from 'node:os';
import type { Middleware } from 'koa';
import { defineCapability } from '../capability.ts';
import { requireApiToken } from '../oidc/api-auth.ts';
import { checkFaceModels } from './models/status.ts';
import { findDetector, findRecognizer, loadManifest, modelIdOf } from './models/manifest.ts';
import { FaceService } from './service/face-service.ts';
import { LazyWorkerPool } from './service/inference.ts';
import { faceKeyringFrom } from './service/keys.ts';
import { FaceStore } from './service/template-store.ts';
import { faceMetrics } from './service/metrics.ts';
import { faceRoutes } from './http/routes.ts';
import { faceDataRights } from './data-rights.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { familyOf } from './enrollment/family.ts';
import { otherPersonCheck } from './enrollment/other-person.ts';
import { proofedPersonCheck } from './enrollment/proofed-person.ts';

export const faceCapability = defineCapability({
  name: 'face',
  provides: ['face'],
  async start({ platform, oidc }) {
    const { config, db, bus, log } = platform;
    const manifest = await loadManifest();
    // Unknown model names are a configuration error (PASS refuses to start); missing files are not.
    const detector = findDetector(manifest, config.models.detector);
    const recognizer = findRecognizer(manifest, config.models.recognizer);
    const models = await checkFaceModels({ manifest, modelDir: config.models.dir, detector: detector.name, recognizer: recognizer.name });
    const workers = config.face.workers;
    const inference = models.available
      ? new LazyWorkerPool({
          size: workers,
          maxQueue: 8 * workers,
          engine: {
            modelDir: config.models.dir,
            detector: detector.name,
            recognizer: recognizer.name,
            // The cores are shared by every face worker of every PASS process (PASS_WORKERS) on the machine.
            threads: Math.max(1, Math.floor(os.availableParallelism() / (workers * Math.max(1, config.workers)))),
            limits: { maxBytes: config.face.maxUploadBytes },
          },
          onWorkerError: (error) => log.error({ err: error }, 'face worker failed'),
        })
      : undefined;
    const verifyThreshold = config.face.verifyThreshold ?? recognizer.threshold;
    const service = new FaceService({
      store: new FaceStore(db),
      bus,
      keyring: faceKeyringFrom(config.encryptionKeys),
      log,
      inference,
      ...(models.reason ? { unavailableReason: models.reason } : {}),
      modelId: modelIdOf(recognizer),
      // The manifest states the length for the known models; any other is read from the model itself.
      dimension: recognizer.output.embeddingLength ?? (inference ? (await inference.start()).embeddingLength : 1),
      verifyThreshold,
      identifyThreshold: config.face.identifyThreshold,
      search: config.face.search,
      checks: [
        proofedPersonCheck(db),
        otherPersonCheck({ familyThreshold: verifyThreshold, identifyThreshold: config.face.identifyThreshold, familyOf: (personId) => familyOf(db, personId) }),
      ],
      audit: (entry) => appendAudit(db, entry),
      metrics: faceMetrics(platform.metrics, () => inference?.stats),
    });
    await service.start();
    if (!models.available) log.warn({ reason: models.reason }, 'face models unavailable; face features are off');
    // Production loads the models now, so the first photo does not wait; elsewhere on first use.
    if (inference && config.production) inference.start().catch((error: unknown) => log.error({ err: error }, 'face workers failed to start'));

    const auth = requireApiToken(() => oidc.host.provider, config.issuer, ['pass:api']);
    const routes = faceRoutes({ service, auth, maxUploadBytes: config.face.maxUploadBytes });
    return {
      provided: { face: service },
      dataRights: [faceDataRights],
      // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
      middleware: [routes.routes(), routes.allowedMethods()] as unknown as Middleware[],
      readiness: [
        {
          name: 'face',
          critical: false,
          check: async () => {
            if (!service.available) return { ok: false, detail: `unavailable: ${service.unavailableReason ?? 'face models are not installed'} (then restart PASS)` };
            const g = service.galleryStats;
            return { ok: true, detail: `${service.modelId}; workers ${inference!.state}; ${g.galleries} galleries, ${g.persons} persons; ${g.enrolled} enrolled` };
          },
        },
      ],
      async stop() {
        await service.stop();
        await inference?.close();
      },
    };
  },
});
