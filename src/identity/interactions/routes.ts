import Router from '@koa/router';
import { loginRoutes, type LoginExtras, type RouteDeps } from './login-routes.ts';
import { signupRoutes } from './signup-routes.ts';
import { forgotRoutes } from './reset-routes.ts';
import { stepUpRoutes, type StepUpRouteDeps } from './step-up-routes.ts';
import { secondStepRoutes, type SecondStepDeps } from './second-step.ts';
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

function extrasFor({ platform, claims, registrations, proofing, face }: InteractionParts, deps: RouteDeps): LoginExtras & { stepUp: StepUpRouteDeps } {
  const { config, db, redis } = platform;
  const card = new CardStepUp({ db, verifier: () => proofing.pki.verifier, identityHashKey: config.identityHashKey });
  const { passkeys, totp } = deps.services;
  const strong = async (accountId: string) => (await totp.enrolled(accountId)) || (await passkeys.count(accountId)) > 0;
  const steps = new StepUp({ db, store: createTransientStore(db, redis), card, face: () => face, strong });
  const stepUp: StepUpRouteDeps = {
    provider: deps.provider,
    csrfKey: deps.csrfKey,
    stepUp: steps,
    devCards: () => (config.production ? undefined : proofing.pki.dev),
    maxUploadBytes: config.face.maxUploadBytes,
  };
  const secondStep: SecondStepDeps = {
    provider: deps.provider,
    csrfKey: deps.csrfKey,
    services: deps.services,
    stepUp: steps,
    secureCookies: config.issuer.startsWith('https://'),
  };
  return { consent: new FacilityConsent(platform, claims, registrations), stepUp, secondStep };
}

/** Every page oidc-provider hands to PASS during an interaction (/interaction/:uid/...). */
export function interactionRoutes(deps: RouteDeps, parts: InteractionParts): Router {
  const router = new Router({ prefix: '/interaction' });
  const extras = extrasFor(parts, deps);
  loginRoutes(router, deps, extras);
  secondStepRoutes(router, extras.secondStep);
  stepUpRoutes(router, extras.stepUp);
  signupRoutes(router, deps);
  forgotRoutes(router, deps);
  return router;
}
