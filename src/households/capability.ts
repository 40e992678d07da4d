/**
 * Households, facility registrations and the claims engine's API as a PASS capability (issue #6).
 * It needs the JPKI proofing and face capabilities: members are proofed with the same verifier,
 * and registrations keep the face galleries in step.
 */
import type { Middleware } from 'koa';
import type { KeyObject } from 'node:crypto';
import { defineCapability } from '../capability.ts';
import { requireApiToken } from '../oidc/api-auth.ts';
import { createTransientStore } from '../identity/proofing/transient-store.ts';
import { RegistrationEffects } from '../registrations/effects.ts';
import { RegistrationService } from '../registrations/registration-service.ts';
import { registrationRoutes } from '../registrations/routes.ts';
import { HouseholdService } from './household-service.ts';
import { MemberProofing } from './member-proofing.ts';
import { MemberClaim } from './member-claim.ts';
import { householdRoutes } from './routes.ts';
import { DevTextApCards, loadDevTextApIssuer } from './text-ap/dev-card.ts';
import { householdsDataRights } from './data-rights.ts';
import { Preregistrations } from './preregistrations.ts';
import { KioskEnrollment, type EnrollmentFace } from './kiosk-enrollment.ts';
import { registrationsDataRights } from '../registrations/data-rights.ts';

export interface HouseholdsRuntime {
  households: HouseholdService;
  proofing: MemberProofing;
  registrations: RegistrationService;
  devTextCards: DevTextApCards | undefined;
  preregistrations: Preregistrations;
  /** Completing a pre-registration at a kiosk (the kiosk API's enrollment routes). */
  kioskEnrollment: KioskEnrollment;
}

/** The face service as enrollment uses it, while its models run and it compares with card photos. */
function enrollmentFace(face: unknown): EnrollmentFace | undefined {
  const f = face as (Partial<EnrollmentFace> & { available?: boolean }) | undefined;
  return f?.available && typeof f.compareWithCardPhoto === 'function' ? (f as EnrollmentFace) : undefined;
}

export const householdsCapability = defineCapability({
  name: 'households',
  needs: ['proofing', 'face'],
  provides: ['households'],
  async start({ platform, oidc, needs: { proofing: jpki, face } }) {
    const { config, db, box, redis, log } = platform;
    const claims = oidc.claims;
    const households = new HouseholdService(db, box, claims.facts);
    // The development text-AP issuer exists only where the development JPKI CA is the trust anchor.
    const devMode = !config.production && Boolean(jpki.pki.dev);
    const devTextCards = devMode ? new DevTextApCards(db, box) : undefined;
    let issuers: { keys: ReadonlyMap<string, KeyObject>; environment: string } | undefined;
    const proofing = new MemberProofing({
      box,
      store: createTransientStore(db, redis),
      households,
      verifier: () => jpki.pki.verifier,
      textApIssuers: async () => {
        if (!devMode) return { keys: new Map(), environment: 'production' };
        if (!issuers) {
          const dev = await loadDevTextApIssuer(db, box);
          issuers = { keys: new Map([[dev.keyId, dev.publicKey]]), environment: 'development' };
        }
        return issuers;
      },
      identityHashKey: config.identityHashKey,
      challengeTtlSeconds: config.jpki.challengeTtlSeconds,
      log,
    });
    const claim = new MemberClaim({
      db,
      box,
      store: createTransientStore(db, redis),
      facts: claims.facts,
      verifier: () => jpki.pki.verifier,
      identityHashKey: config.identityHashKey,
      challengeTtlSeconds: config.jpki.challengeTtlSeconds,
      log,
    });
    const effects = new RegistrationEffects({
      db,
      log,
      gallery: () => face,
      provider: () => oidc.host.provider,
      backchannelLogout: (clientId, accountId) => oidc.notifyBackchannelLogout(clientId, accountId),
    });
    const preregistrations = new Preregistrations({ db, box, households, facts: claims.facts, identityHashKey: config.identityHashKey });
    const kioskEnrollment = new KioskEnrollment({
      db,
      box,
      store: createTransientStore(db, redis),
      households,
      proofing,
      preregistrations,
      verifier: () => jpki.pki.verifier,
      face: () => enrollmentFace(face),
      identityHashKey: config.identityHashKey,
      clientId: 'pass-kiosk',
      log,
    });
    const registrations = new RegistrationService({ db, facilities: platform.facilities, engine: claims.engine, effects });

    const auth = requireApiToken(() => oidc.host.provider, config.issuer, ['pass:api']);
    const family = householdRoutes({
      households,
      proofing,
      auth,
      face: () => face,
      maxUploadBytes: config.face.maxUploadBytes,
      devCards: devTextCards,
      onMemberRemoved: async (personId) => face.personRemoved(personId),
      claim,
      preregistrations,
    });
    const api = registrationRoutes({ db, facilities: platform.facilities, registrations, releases: claims.releases, auth });
    return {
      provided: { households: { households, proofing, registrations, devTextCards, preregistrations, kioskEnrollment } },
      dataRights: [householdsDataRights, registrationsDataRights],
      // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
      middleware: [family.routes(), family.allowedMethods(), api.routes(), api.allowedMethods()] as unknown as Middleware[],
    };
  },
});
