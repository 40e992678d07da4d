import { CAPABILITIES } from '../src/capabilities.ts';
import type { CapabilityFactory } from '../src/capability.ts';
import { passAppCapability } from './app/capability.ts';
import { bookingCapability } from './booking/capability.ts';
import { managerConsoleCapability } from './manager/capability.ts';
import { kioskPageCapability } from './kiosk/capability.ts';
import { busVerifierCapability } from './bus/capability.ts';

/** The first-party clients PASS serves itself: the PASS app, the demo booking site, PASS Manager's console, the kiosk page, the demo bus verifier. */
export const CLIENT_CAPABILITIES: readonly CapabilityFactory[] = [passAppCapability, bookingCapability, managerConsoleCapability, kioskPageCapability, busVerifierCapability];

/** The all-in-one PASS that `npm start` runs: the provider's capabilities, then the clients. */
export const ALL_IN_ONE: readonly CapabilityFactory[] = [...CAPABILITIES, ...CLIENT_CAPABILITIES];
