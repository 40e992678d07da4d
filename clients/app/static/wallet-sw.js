// The PASS app's service worker (served as /app/wallet-sw.js, scope /app/). It exists so the wallet
// opens with no connection: it keeps the wallet page as last seen by the signed-in resident and the
// page's shell (scripts, SD-JWT modules, stylesheet, icons). Network first for everything it
// handles, so an online page is always the server's; the copy is only for when the network fails.
// Beside the wallet page it keeps the approval page with no request in it (`presentOffline`, taken
// whenever the wallet page is): a kiosk asks by QR code with no network on either side, and the
// page reads the request from its own address and answers on the phone.
// It keeps nothing else: no API answer, no other page, nothing that is not a GET of this origin.
// self.PASS_WALLET ({version, page, present, presentOffline, scope, shell}) is put in front of this file by the server.
const { version, page, present, presentOffline, scope, shell } = self.PASS_WALLET;
const CACHE = `pass-wallet-${version}`;
const SHELL = new Set(shell);

/** A page, only as a signed-in resident got it: not a redirect to sign-in, not an error. */
async function keep(cache, key, response) {
  if (!response || !response.ok || response.redirected || response.type !== 'basic') return;
  const path = new URL(response.url).pathname.replace(/\/$/, '');
  if (path === key) await cache.put(key, response);
}

/** The wallet page, and with it the approval page's offline copy for the same resident. */
async function keepPage(cache, response) {
  await keep(cache, page, response);
  if (!response?.ok || response.redirected) return;
  await keep(cache, presentOffline, await fetch(presentOffline, { credentials: 'same-origin' }).catch(() => undefined));
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(shell);
      await keepPage(cache, await fetch(page, { credentials: 'same-origin' }).catch(() => undefined));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('pass-wallet-') && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

async function fromCache(key) {
  const cache = await caches.open(CACHE);
  return cache.match(key);
}

/**
 * Pages: the network's answer; with no network, the approval page's copy for the approval page
 * (any query string: the page reads it), else the wallet page (whatever page was asked for: the
 * wallet is what works offline).
 */
async function navigate(event, url) {
  const path = url.pathname.replace(/\/$/, '');
  try {
    const response = await fetch(event.request);
    // Kept after the page is answered: the resident does not wait for the approval page's copy.
    if (path === page) {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => keepPage(cache, copy)));
    }
    return response;
  } catch (error) {
    const kept = (path === present && (await fromCache(presentOffline))) || (await fromCache(page));
    if (kept) return kept;
    throw error;
  }
}

async function shellFile(request, key) {
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await (await caches.open(CACHE)).put(key, response.clone());
    return response;
  } catch (error) {
    const kept = await fromCache(key);
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    if (url.pathname.startsWith(scope)) event.respondWith(navigate(event, url));
    return;
  }
  if (SHELL.has(url.pathname) && !url.search) event.respondWith(shellFile(request, url.pathname));
});
