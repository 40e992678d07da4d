/**
 * Browser pages for tests, watched for what must never happen on a PASS page: CSP violations and
 * uncaught script errors.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch } from './browser.ts';
import { cspViolations } from './journey-helpers.ts';

export interface PageOptions {
  locale?: string;
  width?: number;
  height?: number;
  /** How long each step may wait, in ms. */
  timeout?: number;
}

/** Pages of a test file, each in a fresh browser context (cookies of its own); what went wrong on any of them in `problems`. */
export class WatchedPages {
  readonly problems: string[] = [];
  readonly #browser: Browser;
  readonly #defaults: Required<PageOptions>;
  readonly #contexts: BrowserContext[] = [];
  #ownsBrowser = false;

  constructor(browser: Browser, defaults: PageOptions = {}) {
    this.#browser = browser;
    this.#defaults = { locale: 'ja-JP', width: 1280, height: 860, timeout: 15_000, ...defaults };
  }

  /** Pages in a Chromium of their own, which `close` closes too. */
  static async launch(defaults: PageOptions = {}): Promise<WatchedPages> {
    const pages = new WatchedPages(await launch(), defaults);
    pages.#ownsBrowser = true;
    return pages;
  }

  async open(options: PageOptions = {}): Promise<Page> {
    const o = { ...this.#defaults, ...options };
    const context = await this.#browser.newContext({ locale: o.locale, viewport: { width: o.width, height: o.height } });
    context.setDefaultTimeout(o.timeout);
    this.#contexts.push(context);
    const page = await context.newPage();
    cspViolations(page, this.problems);
    page.on('pageerror', (error) => this.problems.push(`pageerror: ${error.message}`));
    return page;
  }

  async close(): Promise<void> {
    for (const context of this.#contexts.splice(0)) await context.close().catch(() => {});
    if (this.#ownsBrowser) await this.#browser.close();
  }
}

/**
 * A test's steps on one phone-sized page: they pass only with no problem on the page; a failure
 * leaves a screenshot of where it stopped; the page is closed either way.
 */
export async function onPhonePage(browser: Browser, shot: (page: Page, name: string) => Promise<void>, steps: (page: Page) => Promise<void>): Promise<void> {
  const pages = new WatchedPages(browser, { width: 390, height: 844, timeout: 10_000 });
  const page = await pages.open();
  try {
    await steps(page);
    expect(pages.problems).toEqual([]);
  } catch (error) {
    await shot(page, 'failure').catch(() => undefined);
    throw error;
  } finally {
    await pages.close();
  }
}
