/**
 * What makes the PASS app an installable web app: the manifest (/app/manifest.webmanifest), its
 * icons (drawn in code, ./icons.ts) and the service worker (/app/wallet-sw.js, scope /app/), which
 * keeps the wallet page's shell so the wallet opens with no connection. The worker's script is
 * clients/app/static/wallet-sw.js with its shell list and version put in front: the version is a
 * hash of everything in the shell, so changing any of it installs a new worker with a new cache.
 * The shell includes the approval page's scripts: a kiosk's request (response_mode=qr) is answered
 * on the phone with no network, from the worker's copy of the approval page.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Middleware } from 'koa';
import { iconPng, iconSvg } from './icons.ts';
import { WALLET_MODULES_PREFIX, walletModules } from './wallet-modules.ts';
import { WALLET_BASE } from './section.ts';

export const MANIFEST_PATH = '/app/manifest.webmanifest';
export const SERVICE_WORKER_PATH = '/app/wallet-sw.js';
export const APP_SCOPE = '/app/';
const ICONS = '/app/icons/';

const STATIC_DIR = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'static');
/** The page scripts of the wallet (clients/app/static), under /app/static/. */
export const WALLET_SCRIPTS = ['wallet-page.js', 'wallet-store.js', 'wallet-issuance.js', 'wallet-register.js', 'present-page.js', 'present-words.js'];
/** The approval page (clients/app/present/routes.ts), and its copy with no request that the worker keeps for offline use. */
export const PRESENT_PAGE = `${WALLET_BASE}/present`;
export const PRESENT_OFFLINE_PAGE = `${PRESENT_PAGE}/offline`;

export function manifest(): Record<string, unknown> {
  return {
    id: APP_SCOPE,
    name: 'PASS',
    short_name: 'PASS',
    description: 'マイナンバーカードで本人確認した PASS ID と、年齢や住所の証明書を持ち歩くウォレット。',
    lang: 'ja',
    dir: 'ltr',
    start_url: APP_SCOPE,
    scope: APP_SCOPE,
    display: 'standalone',
    background_color: '#f4f6f8',
    theme_color: '#0b5cad',
    icons: [
      { src: `${ICONS}pass-192.png`, sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: `${ICONS}pass-512.png`, sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: `${ICONS}pass-512.png`, sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      { src: `${ICONS}pass.svg`, sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
    ],
    shortcuts: [{ name: 'ウォレット', short_name: 'ウォレット', url: WALLET_BASE }],
  };
}

interface Asset {
  body: Buffer | string;
  type: string;
}

/** The manifest, icons and service worker; the worker's shell lists the wallet's scripts, the SD-JWT modules, the stylesheet and the icons. */
export function pwaFiles(modules: ReturnType<typeof walletModules>['modules'] = walletModules().modules): Middleware {
  let assets: Map<string, Asset> | undefined;
  function build(): Map<string, Asset> {
    const files = new Map<string, Asset>([
      [MANIFEST_PATH, { body: JSON.stringify(manifest()), type: 'application/manifest+json; charset=utf-8' }],
      [`${ICONS}pass-192.png`, { body: iconPng(192), type: 'image/png' }],
      [`${ICONS}pass-512.png`, { body: iconPng(512), type: 'image/png' }],
      [`${ICONS}pass.svg`, { body: iconSvg(), type: 'image/svg+xml' }],
    ]);
    const shell = ['/static/pass.css', ...WALLET_SCRIPTS.map((name) => `/app/static/${name}`), ...[...modules().keys()].map((name) => `${WALLET_MODULES_PREFIX}${name}`), ...files.keys()];
    const worker = readFileSync(path.join(STATIC_DIR, 'wallet-sw.js'), 'utf8');
    const version = createHash('sha256');
    version.update(worker);
    for (const name of WALLET_SCRIPTS) version.update(readFileSync(path.join(STATIC_DIR, name)));
    for (const served of modules().values()) version.update(served.etag);
    const config = { version: version.digest('base64url').slice(0, 16), page: WALLET_BASE, present: PRESENT_PAGE, presentOffline: PRESENT_OFFLINE_PAGE, scope: APP_SCOPE, shell };
    files.set(SERVICE_WORKER_PATH, { body: `self.PASS_WALLET = ${JSON.stringify(config)};\n${worker}`, type: 'text/javascript; charset=utf-8' });
    return files;
  }
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path !== MANIFEST_PATH && ctx.path !== SERVICE_WORKER_PATH && !ctx.path.startsWith(ICONS)) return next();
    assets ??= build();
    const asset = assets.get(ctx.path);
    if (!asset) return next();
    ctx.state.route = ctx.path.startsWith(ICONS) ? `${ICONS}*` : ctx.path;
    // The worker must be checked on every visit (a new version replaces the cache); the rest too, cheaply.
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = asset.type;
    ctx.body = asset.body;
  };
}
