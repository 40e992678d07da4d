import type { Middleware } from 'koa';
import { defineCapability } from '../../src/capability.ts';
import { kioskPages } from './pages.ts';

/** The kiosk's web page (/kiosk), its scripts and styles: the tablet then talks to PASS over /api/kiosk alone. */
export const kioskPageCapability = defineCapability({
  name: 'kiosk-page',
  async start({ platform }) {
    const router = kioskPages(platform.config.issuer);
    // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
    return { middleware: [router.routes(), router.allowedMethods()] as unknown as Middleware[] };
  },
});
