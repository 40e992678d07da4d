import Router from '@koa/router';
import { loginRoutes, type LoginExtras, type RouteDeps } from './login-routes.ts';
import { signupRoutes } from './signup-routes.ts';
import { forgotRoutes } from './reset-routes.ts';
import { stepUpRoutes, type StepUpRouteDeps } from './step-up-routes.ts';
import { FacilityConsent } from './facility-consent.ts';
import { StepUp } from './step-up.ts';
import type { Platform } from '../../platform.ts';
import { createTransientStore } from '../../identity/proofing/transient-store.ts';
import { CardStepUp } from '../../identity/proofing/step-up-card.ts';
import { proofingRuntimeOf } from '../../identity/proofing/capability.ts';
import { faceServiceOf } from '../../face/capability.ts';

export type { RouteDeps } from './login-routes.ts';

/** Facility consent and the card and face steps; the services they use start after the identity capability, so they are looked up per request. */
function extrasFor(platform: Platform, deps: RouteDeps): LoginExtras {
  const { config, db, redis } = platform;
  const card = new CardStepUp({ db, verifier: () => proofingRuntimeOf(platform)?.pki.verifier, identityHashKey: config.identityHashKey });
  const stepUp: StepUpRouteDeps = {
    provider: deps.provider,
    csrfKey: deps.csrfKey,
    stepUp: new StepUp({ db, store: createTransientStore(db, redis), card, face: () => faceServiceOf(platform) }),
    devCards: () => (config.production ? undefined : proofingRuntimeOf(platform)?.pki.dev),
    maxUploadBytes: config.face.maxUploadBytes,
  };
  return { consent: new FacilityConsent(platform), stepUp };
}

/** Every page oidc-provider hands to PASS during an interaction (/interaction/:uid/...). */
export function interactionRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/interaction' });
  const extras = deps.platform ? extrasFor(deps.platform, deps) : undefined;
  loginRoutes(router, deps, extras);
  if (extras) stepUpRoutes(router, extras.stepUp);
  signupRoutes(router, deps);
  forgotRoutes(router, deps);
  return router;
}
