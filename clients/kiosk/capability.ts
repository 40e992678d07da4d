import type { Middleware } from 'koa';
import { defineCapability } from '../../src/capability.ts';
import { kioskPages } from './pages.ts';
import { cardModules } from './card-modules.ts';
import { detectorFiles } from './detector-files.ts';

/** The kiosk's web page (/kiosk), its scripts and styles: the tablet then talks to PASS over /api/kiosk alone. */
export const kioskPageCapability = defineCapability({
  name: 'kiosk-page',
  async start({ platform }) {
    const { issuer, production, kiosk, models } = platform.config;
    const router = kioskPages({ issuer, cardBridgeUrl: kiosk.cardBridgeUrl, cardSimulator: kiosk.cardSimulator && !production });
    // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
    return { middleware: [cardModules(), detectorFiles({ modelsDir: models.dir }), ...([router.routes(), router.allowedMethods()] as unknown as Middleware[])] };
  },
});
