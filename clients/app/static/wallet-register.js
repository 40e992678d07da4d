// Every PASS app page registers the wallet's service worker (scope /app/), so the wallet page and
// its scripts are kept for offline use from the first visit on. Browsers without service workers
// (or pages not on HTTPS or localhost) simply go without.
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('/app/wallet-sw.js', { scope: '/app/' }).catch((error) => console.warn('wallet: service worker not registered', error?.message ?? error));
}
