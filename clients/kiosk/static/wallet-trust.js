// What the kiosk verifies wallet presentations with, kept in IndexedDB so it works offline: the
// kiosk API's answer (audience, the facility's request, its maximum status list age), PASS's issuer
// keys (/.well-known/jwt-vc-issuer) and every status list PASS publishes, each with the time this
// page fetched it. Refreshed while online; offline the page verifies with what it holds, and a list
// older than the facility's maximum age refuses (status_list_stale) until staff reconnect the kiosk.
import * as api from './api.js';
import { get, put } from './store.js';

const KEY = 'wallet-trust';
/** How often a kiosk that is online fetches the lists again: well within any facility's maximum age (≥ 5 minutes). */
export const REFRESH_MS = 60_000;

async function fetchText(url) {
  // Only PASS's own addresses: the page's CSP allows no other, and a credential must not choose where the kiosk connects.
  if (new URL(url).origin !== location.origin) throw new Error(`not PASS: ${url}`);
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.text();
}

/** The trust material as held: { audience, request, dcqlQuery, maxStatusListAgeSeconds, issuer, lists: { uri: { token, fetchedAt } } }. */
export const heldTrust = () => get(KEY);

/** Fetches it all again; throws when PASS cannot be reached (what is held stays as it was). */
export async function refreshTrust() {
  const answer = await api.call('GET', '/api/kiosk/wallet');
  if (answer.status !== 200) throw new Error(`kiosk wallet: ${answer.status}`);
  const issuer = JSON.parse(await fetchText(answer.body.issuerMetadataUrl));
  const held = (await heldTrust()) ?? { lists: {} };
  const lists = {};
  for (const uri of answer.body.statusLists) {
    lists[uri] = await fetchText(uri).then(
      (token) => ({ token, fetchedAt: Date.now() }),
      () => held.lists[uri],
    );
    if (!lists[uri]) delete lists[uri];
  }
  const trust = { ...answer.body, issuer, lists };
  await put(KEY, trust);
  return trust;
}

/** A list a credential names that this kiosk does not hold yet (issued since the last refresh): fetched now if PASS answers. */
export async function fetchList(uri) {
  const trust = await heldTrust();
  if (!trust) return undefined;
  try {
    const entry = { token: await fetchText(uri), fetchedAt: Date.now() };
    await put(KEY, { ...trust, lists: { ...trust.lists, [uri]: entry } });
    return entry;
  } catch {
    return undefined;
  }
}
