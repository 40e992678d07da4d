/**
 * The face factor as a PASS capability: the /api/face routes, the "face" readiness check, the
 * in-memory galleries (loaded at start, following changes on every node) and the inference
 * workers. Without models PASS starts all the same: /readyz says why face is unavailable and the
 * API answers `models_unavailable`; with PASS_MODELS_FETCH=auto (the development default) the
 * missing models are fetched in the background, and face turns on when they are in place.
 */
import os from 'node:os';
import type { Middleware } from 'koa';
import { defineCapability } from '../capability.ts';
import { requireApiToken } from '../oidc/api-auth.ts';
import { checkFaceModels, checkModelFile } from './models/status.ts';
import { AwaitingModels } from './models/awaiting.ts';
import { ModelProvisioner } from './models/provision.ts';
import type { FaceInference } from './service/inference.ts';
import { findDetector, findLiveness, findPose, findRecognizer, loadManifest, modelIdOf } from './models/manifest.ts';
import { FaceService } from './service/face-service.ts';
import { LazyWorkerPool } from './service/inference.ts';
import { faceKeyringFrom } from './service/keys.ts';
import { FaceStore } from './service/template-store.ts';
import { faceMetrics } from './service/metrics.ts';
import { faceRoutes } from './http/routes.ts';
import { DEFAULT_TURN_RULES } from './liveness/challenge.ts';
import { LivenessChecks } from './liveness/liveness-checks.ts';
import { createTransientStore } from '../identity/proofing/transient-store.ts';
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
    const landmarker = config.models.landmarker === false ? undefined : findDetector(manifest, config.models.landmarker);
    const pad = config.models.pad === false ? undefined : findLiveness(manifest, config.models.pad);
    const pose = config.models.pose === false ? undefined : findPose(manifest, config.models.pose);
    const check = () =>
      checkFaceModels({ manifest, modelDir: config.models.dir, detector: detector.name, recognizer: recognizer.name, landmarker: landmarker?.name, pad: pad?.name });
    const models = await check();
    const padMissing = models.pad !== undefined && models.pad.status !== 'ok';
    // The head-pose model only serves the active liveness challenge: fetched like the PAD model, never gating face.
    const poseMissing = pose !== undefined && (await checkModelFile(pose, config.models.dir)).status !== 'ok';
    const optional = [...(padMissing && pad ? [pad.name] : []), ...(poseMissing && pose ? [pose.name] : [])];
    const workers = config.face.workers;
    const pool = new LazyWorkerPool({
      size: workers,
      maxQueue: 8 * workers,
      engine: {
        modelDir: config.models.dir,
        detector: detector.name,
        recognizer: recognizer.name,
        landmarker: landmarker?.name ?? false,
        padModel: pad?.name ?? false,
        poseModel: pose?.name ?? false,
        ...(config.face.padThreshold === undefined ? {} : { padThreshold: config.face.padThreshold }),
        // The cores are shared by every face worker of every PASS process (PASS_WORKERS) on the machine.
        threads: Math.max(1, Math.floor(os.availableParallelism() / (workers * Math.max(1, config.workers)))),
        limits: { maxBytes: config.face.maxUploadBytes },
      },
      onWorkerError: (error) => log.error({ err: error }, 'face worker failed'),
    });
    let provisioner: ModelProvisioner | undefined;
    const awaiting = models.available
      ? undefined
      : new AwaitingModels(
          {
            pool,
            check,
            progress: () => provisioner?.status,
            onArrived: () => {
              provisioner?.cancelRetries();
              log.info({ detector: detector.name, recognizer: recognizer.name }, 'face models in place; face features on');
            },
          },
          models.reason ?? 'face models are not installed',
        );
    if ((awaiting || optional.length > 0) && config.models.fetch === 'auto') {
      provisioner = new ModelProvisioner({
        manifest,
        names: awaiting ? [detector.name, recognizer.name, ...(landmarker ? [landmarker.name] : [])] : [],
        optional,
        dir: config.models.dir,
        mirror: config.models.mirror,
        log,
        onFetched: () => void awaiting?.recheck(),
      });
    }
    const inference: FaceInference = awaiting ?? pool;
    const verifyThreshold = config.face.verifyThreshold ?? recognizer.threshold;
    const service = new FaceService({
      store: new FaceStore(db),
      bus,
      keyring: faceKeyringFrom(config.encryptionKeys),
      log,
      inference,
      modelId: modelIdOf(recognizer),
      // The manifest states the length for the known models; any other is read from the model itself.
      dimension: recognizer.output.embeddingLength ?? (models.available ? (await pool.start()).embeddingLength : 1),
      verifyThreshold,
      identifyThreshold: config.face.identifyThreshold,
      search: config.face.search,
      checks: [
        proofedPersonCheck(db),
        otherPersonCheck({ familyThreshold: verifyThreshold, identifyThreshold: config.face.identifyThreshold, familyOf: (personId) => familyOf(db, personId) }),
      ],
      audit: (entry) => appendAudit(db, entry),
      metrics: faceMetrics(platform.metrics, () => inference.stats),
    });
    await service.start();
    // Started only now and not awaited: the HTTP listener never waits for a download.
    if (provisioner) provisioner.start();
    else if (!models.available) log.warn({ reason: models.reason }, 'face models unavailable; face features are off');
    if (padMissing && !provisioner) {
      log.warn({ model: models.pad?.name, status: models.pad?.status }, 'presentation-attack model not in place: every face result is recorded as not checked; run npm run models:fetch');
    }
    // Production loads the models now, so the first photo does not wait; elsewhere on first use.
    if (models.available && config.production) pool.start().catch((error: unknown) => log.error({ err: error }, 'face workers failed to start'));

    const auth = requireApiToken(() => oidc.host.provider, config.issuer, ['pass:api']);
    const liveness = pose
      ? new LivenessChecks({
          store: createTransientStore(db, platform.redis),
          analyser: () => (service.available ? { analyseFrame: (frame) => service.analyseLivenessFrame(frame), poseModel: modelIdOf(pose) } : undefined),
          rules: { ...DEFAULT_TURN_RULES, samePersonCosine: verifyThreshold },
        })
      : undefined;
    const routes = faceRoutes({ service, auth, maxUploadBytes: config.face.maxUploadBytes, liveness });
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
            // Each probe looks for models that arrived since (the files' hashes are cached).
            await awaiting?.recheck();
            if (!service.available) return { ok: false, detail: `unavailable: ${service.unavailableReason ?? 'face models are not installed'}` };
            const g = service.galleryStats;
            return { ok: true, detail: `${service.modelId}; workers ${inference.state}; ${g.galleries} galleries, ${g.persons} persons; ${g.enrolled} enrolled` };
          },
        },
      ],
      async stop() {
        await provisioner?.stop();
        await service.stop();
        await inference.close();
      },
    };
  },
});
