/**
 * The capability contract: what a capability declares (`defineCapability`: name, needs, provides,
 * start) and what it is handed (CapabilityContext). The composition (which capabilities, in which
 * order) is src/capabilities.ts; capabilities import this module, never that one, so that the list
 * can import every capability without a cycle.
 */
import type { Middleware } from 'koa';
import type { Platform } from './platform.ts';
import type { OidcModule } from './oidc/oidc-module.ts';
import type { ReadinessCheck } from './http/health.ts';
import type { DataRightsHooks } from './core/data-rights.ts';
import type { FailureEvidence } from './checkins/checkin-service.ts';
import type { KioskDisplaySource } from './checkins/display.ts';
import type { FaceService } from './face/service/face-service.ts';
import type { ProofingRuntime } from './identity/proofing/capability.ts';
import type { HouseholdsRuntime } from './households/capability.ts';
import type { KioskRuntime } from './kiosk/capability.ts';
import type { AlertThumbnails } from './manager/alerts/evidence-capability.ts';

/**
 * What a capability hands to the capabilities started after it, by name. A capability declares
 * the names it `provides` and the names it `needs`; the composition root (src/composition.ts)
 * checks the order before anything starts and passes each one exactly what it declared.
 */
export interface Provisions {
  /** JPKI proofing: the certificate verifier every card step uses, and the development cards. */
  proofing: ProofingRuntime;
  /** The face factor, available or not (without models it says why). */
  face: FaceService;
  /** Households, member proofing and facility registrations. */
  households: HouseholdsRuntime;
  /** Keeps the photo of a refused face check-in before staff are told (PASS Manager's thumbnail). */
  'failure-evidence': FailureEvidence;
  /** PASS Manager's alert settings and kept thumbnails, read by its alerts API. */
  'alert-thumbnails': AlertThumbnails;
  /** What each facility's kiosks may show in public (PASS Manager's setting). */
  'kiosk-display': KioskDisplaySource;
  /** Kiosks, staff and check-ins. */
  kiosk: KioskRuntime;
}

export type ProvisionName = keyof Provisions;

export interface CapabilityContext<N extends ProvisionName = never> {
  platform: Platform;
  oidc: OidcModule;
  /** What this capability declared in `needs`, from the capabilities started before it. */
  needs: Pick<Provisions, N>;
  /** The data-rights hooks of every capability of this server; call it per request (those started later are included). */
  dataRights(): readonly DataRightsHooks[];
}

/**
 * A running capability (identity, face, kiosk, manager, a client app…): its routes run before
 * oidc-provider's, its checks join /readyz, and it may load caches at start and release them at
 * shutdown.
 */
export interface Capability {
  middleware?: Middleware[];
  readiness?: ReadinessCheck[];
  /** How the owner of this capability's tables about residents exports and forgets a resident's rows (src/privacy orchestrates). */
  dataRights?: readonly DataRightsHooks[];
  /**
   * Called as shutdown begins, before the server waits for requests in flight: end long-lived
   * responses (event streams) so that they do not hold shutdown for its whole timeout.
   */
  drain?(): void;
  stop?(): Promise<void>;
}

/** A capability that has started, with what it provides to the later ones. */
export interface StartedCapability extends Capability {
  provided?: Partial<Provisions>;
}

type Provided<P extends ProvisionName> = [P] extends [never] ? { provided?: never } : { provided: Pick<Provisions, P> };

export interface CapabilityFactory {
  readonly name: string;
  readonly needs: readonly ProvisionName[];
  readonly provides: readonly ProvisionName[];
  start(ctx: CapabilityContext<ProvisionName>): Promise<StartedCapability>;
}

/** Declares a capability: its `start` receives what it `needs` and must return what it `provides`, both checked by the compiler. */
export function defineCapability<const N extends ProvisionName = never, const P extends ProvisionName = never>(definition: {
  name: string;
  needs?: readonly N[];
  provides?: readonly P[];
  start(ctx: CapabilityContext<N>): Promise<Capability & Provided<P>>;
}): CapabilityFactory {
  return {
    name: definition.name,
    needs: definition.needs ?? [],
    provides: definition.provides ?? [],
    start: (ctx) => definition.start(ctx),
  };
}
