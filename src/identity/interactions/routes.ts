import Router from '@koa/router';
import { loginRoutes, type LoginExtras, type RouteDeps } from './login-routes.ts';
import { signupRoutes } from './signup-routes.ts';
import { forgotRoutes } from './reset-routes.ts';
import { stepUpRoutes, type StepUpRouteDeps } from './step-up-routes.ts';
import { FacilityConsent } from './facility-consent.ts';
import { StepUp } from './step-up.ts';
import type { Platform } from '../../platform.ts';
import type { ClaimsRuntime } from '../../claims/index.ts';
import type { FaceService } from '../../face/service/face-service.ts';
import type { ProofingRuntime } from '../proofing/capability.ts';
import type { RegistrationService } from '../../registrations/registration-service.ts';
import { createTransientStore } from '../proofing/transient-store.ts';
import { CardStepUp } from '../proofing/step-up-card.ts';

export type { RouteDeps } from './login-routes.ts';

/** What facility consent and the card and face steps use, from the capabilities the identity capability needs. */
export interface InteractionParts {
  platform: Platform;
  claims: ClaimsRuntime;
  registrations: RegistrationService;
  proofing: ProofingRuntime;
  face: FaceService;
}

function extrasFor({ platform, claims, registrations, proofing, face }: InteractionParts, deps: RouteDeps): LoginExtras {
  const { config, db, redis } = platform;
  const card = new CardStepUp({ db, verifier: () => proofing.pki.verifier, identityHashKey: config.identityHashKey });
  const stepUp: StepUpRouteDeps = {
    provider: deps.provider,
    csrfKey: deps.csrfKey,
    stepUp: new StepUp({ db, store: createTransientStore(db, redis), card, face: () => face }),
    devCards: () => (config.production ? undefined : proofing.pki.dev),
    maxUploadBytes: config.face.maxUploadBytes,
  };
  return { consent: new FacilityConsent(platform, claims, registrations), stepUp };
}

/** Every page oidc-provider hands to PASS during an interaction (/interaction/:uid/...). */
export function interactionRoutes(deps: RouteDeps, parts: InteractionParts): Router {
  const router = new Router({ prefix: '/interaction' });
  const extras = extrasFor(parts, deps);
  loginRoutes(router, deps, extras);
  stepUpRoutes(router, extras.stepUp);
  signupRoutes(router, deps);
  forgotRoutes(router, deps);
  return router;
}
