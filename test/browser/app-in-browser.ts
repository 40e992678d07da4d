/**
 * What a browser test of the PASS app's screens starts from: a PASS with the facilities and the
 * app's own client (as the demo seeds it), and Chromium.
 */
import type { Browser } from 'playwright-core';
import { createStorage, startPass } from '../helpers/pass.ts';
import type { StorageMode } from '../helpers/services.ts';
import { withFacilities, type Pass } from '../kiosk/helpers.ts';
import { launch } from './browser.ts';

export interface AppInBrowser {
  pass: Pass;
  browser: Browser;
  close(): Promise<void>;
}

export async function appInBrowser(mode: StorageMode, env: Record<string, string> = {}): Promise<AppInBrowser> {
  const storage = await createStorage(mode);
  let pass: Pass | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await pass?.close();
    await storage.cleanup();
  };
  try {
    [pass, browser] = await Promise.all([startPass({ ...storage.env, ...env }), launch()]);
    await withFacilities(pass);
    return { pass, browser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
