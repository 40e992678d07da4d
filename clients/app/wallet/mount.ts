/**
 * The wallet's parts of the PASS app, mounted by clients/app/capability.ts: the wallet screen and
 * its offer route (/app/wallet), the SD-JWT core for the page (/app/lib/), and the installable
 * app's manifest, icons and service worker.
 */
import type { Middleware } from 'koa';
import type { FeatureKit } from '../feature-kit.ts';
import { pwaFiles } from './pwa.ts';
import { walletAppRoutes } from './routes.ts';
import { walletModules } from './wallet-modules.ts';

export function walletScreens(kit: FeatureKit, issuer: string): Middleware[] {
  const modules = walletModules();
  // @koa/router's middleware types are narrower than Koa's; at run time they are plain middleware.
  return [walletAppRoutes(kit, issuer).routes() as unknown as Middleware, modules.middleware, pwaFiles(modules.modules)];
}
