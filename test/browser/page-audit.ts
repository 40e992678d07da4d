/**
 * What every PASS page must pass, whoever wrote it (issue 18): no raw message key left where a
 * text belongs, no Japanese separator in an English page's own words, and no WCAG 2.1 A/AA
 * violation found by axe-core (JIS X 8341-3:2016 AA, which Japanese municipalities require, is
 * WCAG 2.x AA).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/pass.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * Every message key of every page table and reason catalogue (`'key': { ja: …`), read from the
 * sources so that a table added tomorrow is covered too. Keys of one plain word are left out: they
 * read as words, and a page showing one would be caught by a reader anyway.
 */
export const MESSAGE_KEYS: ReadonlySet<string> = (() => {
  const keys = new Set<string>();
  const entry = /['"]?([a-z][a-zA-Z0-9]*(?:[._-][a-zA-Z0-9]+)+)['"]?\s*:\s*\{\s*ja\s*:/g;
  for (const root of ['src', 'clients']) {
    for (const file of sourceFiles(path.join(REPO_ROOT, root))) {
      for (const match of readFileSync(file, 'utf8').matchAll(entry)) keys.add(match[1]!);
    }
  }
  return keys;
})();

export type Lang = 'ja' | 'en';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** The page's own words: title, visible text and the attributes read aloud; on English pages, outside `lang="ja"` parts. */
// In-page scripts are plain JavaScript (this project compiles without the DOM library).
const WORDS_SCRIPT = `(language) => {
  const attributes = ['aria-label', 'title', 'placeholder', 'alt', 'aria-description'];
  const pieces = [{ text: document.title, ja: false }];
  const isJa = (el) => el?.closest('[lang]')?.getAttribute('lang')?.startsWith('ja') ?? language === 'ja';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    // Identifiers shown as such (a claim's OIDC name beside its label) are marked up as code or translate="no".
    if (!parent || parent.closest('script,style,noscript,template,code,kbd,samp,[translate="no"]')) continue;
    const style = getComputedStyle(parent);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    pieces.push({ text: node.textContent ?? '', ja: isJa(parent) });
  }
  for (const el of document.querySelectorAll('*')) {
    for (const name of attributes) {
      const value = el.getAttribute(name);
      if (value) pieces.push({ text: value, ja: isJa(el) });
    }
    if (el instanceof HTMLInputElement && ['submit', 'button'].includes(el.type)) pieces.push({ text: el.value, ja: isJa(el) });
  }
  return { all: pieces.map((p) => p.text).join('\\n'), own: pieces.filter((p) => !p.ja).map((p) => p.text).join('\\n') };
}`;

const AXE_RUN_SCRIPT = `(tags) => axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }).then((r) => r.violations)`;

/** Runs a function given as JavaScript source in the page with one argument. */
function inPage<T>(page: Page, source: string, arg: unknown): Promise<T> {
  return page.evaluate(`(${source})(${JSON.stringify(arg)})`) as Promise<T>;
}

/** The page's own words: title, visible text and the attributes read aloud; on English pages, outside `lang="ja"` parts. */
function wordsOf(page: Page, lang: Lang): Promise<{ all: string; own: string }> {
  return inPage(page, WORDS_SCRIPT, lang);
}

/** What is wrong with the page as it stands, one line each ("" when nothing). */
export async function auditPage(page: Page, lang: Lang, where = new URL(page.url()).pathname): Promise<string[]> {
  const findings: string[] = [];
  const { all, own } = await wordsOf(page, lang);
  for (const token of all.match(/[A-Za-z][A-Za-z0-9._-]*[A-Za-z0-9]/g) ?? []) {
    if (MESSAGE_KEYS.has(token)) findings.push(`${where} [${lang}]: unresolved message key "${token}"`);
  }
  if (lang === 'en') {
    for (const line of own.split('\n')) {
      if (/[、。]/.test(line)) findings.push(`${where} [en]: Japanese separator in English text: "${line.trim().slice(0, 80)}"`);
    }
  }
  if (!(await page.evaluate("typeof axe !== 'undefined'"))) await page.evaluate(AXE_SOURCE);
  const violations = await inPage<AxeViolation[]>(page, AXE_RUN_SCRIPT, WCAG_21_AA);
  for (const v of violations) {
    const targets = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ');
    findings.push(`${where} [${lang}]: axe ${v.id} (${v.impact}) ${v.help} — ${v.nodes.length} node(s): ${targets}`);
  }
  return [...new Set(findings)];
}

export interface CrawlOptions {
  /** Same-origin paths the crawl may visit (prefixes). */
  within: string[];
  /** Paths never visited (sign-out, downloads, …). */
  skip?: RegExp;
  limit?: number;
}

/**
 * Visits the start page and every page reachable from it by links within `within` (no forms, no
 * language switch), auditing each; returns the findings and the paths visited.
 */
export async function crawlAndAudit(page: Page, start: string, lang: Lang, options: CrawlOptions): Promise<{ findings: string[]; visited: string[] }> {
  const origin = new URL(start).origin;
  const queue = [start];
  const seen = new Set<string>();
  const findings: string[] = [];
  const visited: string[] = [];
  const limit = options.limit ?? 40;
  while (queue.length > 0 && visited.length < limit) {
    const next = queue.shift()!;
    const key = new URL(next).pathname + new URL(next).search;
    if (seen.has(key)) continue;
    seen.add(key);
    const response = await page.goto(next);
    await page.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => undefined);
    const at = new URL(page.url());
    if (at.origin !== origin || !options.within.some((p) => at.pathname.startsWith(p))) continue;
    visited.push(at.pathname + at.search);
    if (response && response.status() >= 500) findings.push(`${at.pathname} [${lang}]: HTTP ${response.status()}`);
    findings.push(...(await auditPage(page, lang, at.pathname + at.search)));
    const links = (await page.evaluate("[...document.querySelectorAll('a[href]')].map((a) => a.href)")) as string[];
    for (const href of links) {
      const url = new URL(href);
      url.hash = '';
      if (url.origin !== origin || url.searchParams.has('lang')) continue;
      if (!options.within.some((p) => url.pathname.startsWith(p))) continue;
      if (options.skip?.test(url.pathname)) continue;
      if (!seen.has(url.pathname + url.search)) queue.push(url.toString());
    }
  }
  return { findings, visited };
}
