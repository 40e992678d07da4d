/**
 * The first half of PASS Manager's alerts, started before the kiosk: the kiosk hands the photo of
 * a refused face check-in to `failure-evidence` (a thumbnail is kept where the facility wants
 * one) before staff are told, and the alerts API later reads the same stores. The kiosk never
 * sees the Manager; the Manager never reaches into the kiosk.
 */
import { defineCapability } from '../../capability.ts';
import { AlertSettingsStore } from './alert-settings.ts';
import { ThumbnailStore } from './thumbnails.ts';

const PURGE_MS = 60_000;

export interface AlertThumbnails {
  settings: AlertSettingsStore;
  thumbnails: ThumbnailStore;
}

export const alertEvidenceCapability = defineCapability({
  name: 'manager-alert-evidence',
  provides: ['failure-evidence', 'alert-thumbnails'],
  async start({ platform }) {
    const { db, box, log } = platform;
    const settings = new AlertSettingsStore(db);
    const thumbnails = new ThumbnailStore(db, box, settings);
    const purge = setInterval(() => {
      thumbnails.purge().catch((error: unknown) => log.warn({ err: error }, 'alert thumbnail purge failed'));
    }, PURGE_MS);
    purge.unref();
    return {
      provided: {
        // The photo reaches the Manager only here, and only as a thumbnail.
        'failure-evidence': (record, photo) => thumbnails.keep(record.id, record.facilityId, photo),
        'alert-thumbnails': { settings, thumbnails },
      },
      async stop() {
        clearInterval(purge);
      },
    };
  },
});
