/**
 * The provider's composition: its capabilities in start order. Capabilities declare themselves
 * against the contract in src/capability.ts; this list only puts them in order.
 */
import type { CapabilityFactory } from './capability.ts';
import { jpkiProofingCapability } from './identity/proofing/capability.ts';
import { identityCapability } from './identity/identity-capability.ts';
import { faceCapability } from './face/capability.ts';
import { kioskCapability } from './kiosk/capability.ts';
import { oidcAdminCapability } from './oidc/admin/capability.ts';
import { householdsCapability } from './households/capability.ts';
import { alertEvidenceCapability } from './manager/alerts/evidence-capability.ts';
import { kioskDisplayCapability } from './manager/kiosk-display/capability.ts';
import { managerCapability } from './manager/capability.ts';
import { privacyCapability } from './privacy/capability.ts';
import { walletCapability } from './wallet/capability.ts';

/**
 * The provider's capabilities in start order: each comes after those it needs. Requests meet
 * their routes in the same order, which matters only for overlapping paths (each owns its prefix).
 * The first-party clients PASS serves itself are composed with these outside src (clients/main.ts).
 */
export const CAPABILITIES: readonly CapabilityFactory[] = [
  jpkiProofingCapability,
  faceCapability,
  householdsCapability,
  identityCapability,
  alertEvidenceCapability,
  kioskDisplayCapability,
  kioskCapability,
  oidcAdminCapability,
  managerCapability,
  walletCapability,
  privacyCapability,
];
