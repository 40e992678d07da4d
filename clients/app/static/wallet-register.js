// Every PASS app page registers the wallet's service worker (scope /app/), so the wallet page and
// its scripts are kept for offline use from the first visit on. Browsers without service workers
// (or pages not on HTTPS or localhost) simply go without.
// Signed out (the landing page is only shown then): the offline copies of the wallet pages name the household
// members the resident represents, so they go with the session; the credentials stay in the resident's own
// IndexedDB, which no other resident's wallet opens.
if (document.querySelector('[data-signed-out="true"]') && 'caches' in window) {
  caches
    .keys()
    .then(async (names) => {
      for (const name of names.filter((n) => n.startsWith('pass-wallet-'))) {
        const cache = await caches.open(name);
        await Promise.all(['/app/wallet', '/app/wallet/present/offline'].map((key) => cache.delete(key)));
      }
    })
    .catch((error) => console.warn('wallet: offline copies not cleared', error?.message ?? error));
}
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('/app/wallet-sw.js', { scope: '/app/' }).catch((error) => console.warn('wallet: service worker not registered', error?.message ?? error));
}
