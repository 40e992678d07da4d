/**
 * PASS Manager's kiosk display setting as a port, started before the kiosk: check-ins ask it what a
 * facility's kiosks may show in public (`kiosk-display`) each time they answer a kiosk, so a change
 * made in the Manager holds from the next check-in on every node. The kiosk never sees the Manager.
 */
import { defineCapability } from '../../capability.ts';
import { KioskDisplaySettings } from './display-settings.ts';

export const kioskDisplayCapability = defineCapability({
  name: 'manager-kiosk-display',
  provides: ['kiosk-display'],
  async start({ platform }) {
    const settings = new KioskDisplaySettings(platform.db);
    return { provided: { 'kiosk-display': (facilityId) => settings.get(facilityId) } };
  },
});
