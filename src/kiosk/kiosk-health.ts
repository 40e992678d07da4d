/**
 * Whether a kiosk is running, as staff see it. A kiosk page sends a heartbeat every
 * KIOSK_HEARTBEAT_SECONDS (clients/kiosk/static/kiosk.js) and says when it closes; last contact
 * is written at most every 30 seconds per node (kiosk-store.ts), so a kiosk counts as offline
 * only after several heartbeats are missed. Time comes from the caller, so tests can move it.
 */
import type { Kiosk } from './kiosk-store.ts';

export const KIOSK_HEARTBEAT_SECONDS = 30;
/** No contact for this long: offline (a network or power problem, or a page that could not say it closed). */
export const KIOSK_OFFLINE_AFTER_SECONDS = 120;

export type KioskState = 'online' | 'offline' | 'closed' | 'revoked';

export function kioskState(kiosk: Pick<Kiosk, 'lastContactAt' | 'closedAt' | 'revokedAt'>, now: number): KioskState {
  if (kiosk.revokedAt) return 'revoked';
  if (kiosk.closedAt) return 'closed';
  if (kiosk.lastContactAt && now - kiosk.lastContactAt.getTime() < KIOSK_OFFLINE_AFTER_SECONDS * 1000) return 'online';
  return 'offline';
}
