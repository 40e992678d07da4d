import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/pass.ts';

export const CHROMIUM = process.env.PASS_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(REPO_ROOT, 'test-results', 'screenshots');

/** Debian's Chromium, headless; Playwright never downloads a browser here. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`CI must provide Chromium at ${CHROMIUM}`);
  return false;
}

/** `extraArgs`: e.g. Chromium's fake camera flags for the face screens. */
export async function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
}

/** Full-page screenshots, kept as test artifacts (test-results/ is not committed). */
export function screenshotter(prefix: string): (page: Page, name: string) => Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  let n = 0;
  return async (page, name) => {
    n += 1;
    await page.screenshot({ path: path.join(SCREENSHOTS, `${prefix}-${String(n).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
}

/**
 * A test's steps in one browser context: a failure leaves a screenshot of where it stopped, and
 * the context is closed either way.
 */
export async function inContext(context: BrowserContext, page: Page, shot: (page: Page, name: string) => Promise<void>, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (error) {
    await shot(page, 'failure').catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
}
