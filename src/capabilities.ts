import type { Middleware } from 'koa';
import type { Platform } from './platform.ts';
import type { OidcModule } from './oidc/oidc-module.ts';
import type { ReadinessCheck } from './http/health.ts';
import { jpkiProofingCapability } from './identity/proofing/capability.ts';
import { identityCapability } from './identity/identity-capability.ts';
import { passAppCapability } from '../clients/app/capability.ts';
import { faceCapability } from './face/capability.ts';
import { kioskCapability } from './kiosk/capability.ts';
import { oidcAdminCapability } from './oidc/admin/capability.ts';
import { bookingCapability } from '../clients/booking/capability.ts';
import { familyCapability } from './households/capability.ts';
import { managerCapability } from './manager/capability.ts';
import { privacyCapability } from './privacy/capability.ts';

export interface CapabilityContext {
  platform: Platform;
  oidc: OidcModule;
}

/**
 * A capability (identity, face, facilities, kiosk, manager, a client app…) plugs into the server
 * here: its routes run before oidc-provider's, its checks join /readyz, and it may load caches at
 * start and release them at shutdown.
 */
export interface Capability {
  name: string;
  middleware?: Middleware[];
  readiness?: ReadinessCheck[];
  /**
   * Called as shutdown begins, before the server waits for requests in flight: end long-lived
   * responses (event streams) so that they do not hold shutdown for its whole timeout.
   */
  drain?(): void;
  stop?(): Promise<void>;
}

export type CapabilityFactory = (ctx: CapabilityContext) => Promise<Capability>;

/** Order matters only for overlapping paths; each capability owns its own prefix. */
export const CAPABILITIES: CapabilityFactory[] = [
  identityCapability,
  passAppCapability,
  jpkiProofingCapability,
  faceCapability,
  kioskCapability,
  oidcAdminCapability,
  bookingCapability,
  familyCapability,
  managerCapability,
  privacyCapability,
];
