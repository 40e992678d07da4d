// The kiosk's 「ウォレット」 screen (kiosk.js shows it): a request QR code for the PASS app (an
// OpenID4VP-shaped request: this kiosk's audience, a fresh one-time nonce, the facility's DCQL query),
// and the phone's answer read from the camera (qr-reader.js) or the staff text box. The page verifies
// the presentation itself with the SD-JWT core and the trust material it holds (wallet-trust.js), so
// it works with no network; an accepted presentation becomes a check-in with a kiosk-made id (queued
// when PASS is unreachable, sent once), a refused one a recorded refusal with its reason on screen.
import { verifyPresentation } from '/kiosk/lib/wallet/sd-jwt/index.ts';
import { create as qrCode } from '/kiosk/lib/qr-encoder.js';
import { startCamera } from './camera.js';
import { scan } from './qr-reader.js';
import { get, put, queueAdd } from './store.js';
import { fetchList, heldTrust } from './wallet-trust.js';
import { $, show, ui } from './views.js';

/** Nonces this kiosk handed out and saw answered: a presentation made for one of them is a replay. */
const USED_KEY = 'wallet-used-nonces';
const USED_KEPT = 500;
/** The request on screen now; it is spent by the first presentation read against it. */
let current;
let scanning;
/** What kiosk.js lends the screen: its check-in sending and queue, the result screen, the direction chosen. */
let deps;

const randomNonce = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18)))).replace(/\+/g, '-').replace(/\//g, '_');

/**
 * The request as the phone reads it: the PASS app's presentation address with the OpenID4VP
 * parameters, and the facility's name (client_metadata.client_name) so the resident sees which
 * facility asks.
 */
function requestUrl(trust, nonce) {
  const params = new URLSearchParams({ client_id: trust.audience, response_type: 'vp_token', response_mode: 'qr', nonce, dcql_query: JSON.stringify(trust.dcqlQuery) });
  const facility = $('facility-name').textContent.trim();
  if (facility) params.set('client_metadata', JSON.stringify({ client_name: facility }));
  return `${document.body.dataset.issuer}/app/wallet/present?${params}`;
}

function drawQr(canvas, text) {
  const { modules } = qrCode(text, { errorCorrectionLevel: 'M' });
  const scale = 6;
  const margin = 4;
  const size = (modules.size + margin * 2) * scale;
  canvas.width = size;
  canvas.height = size;
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, size, size);
  g.fillStyle = '#000';
  for (let row = 0; row < modules.size; row += 1) {
    for (let col = 0; col < modules.size; col += 1) if (modules.get(row, col)) g.fillRect((col + margin) * scale, (row + margin) * scale, scale, scale);
  }
}

export function stopWallet() {
  scanning?.abort();
  scanning = undefined;
}

export async function walletScreen() {
  stopWallet();
  show('wallet');
  $('wallet-text').value = '';
  $('wallet-staff').open = false;
  // The last resident's request is spent: nothing of it stays on screen while the next one is made.
  $('wallet-request').textContent = '';
  $('wallet-qr').getContext('2d').clearRect(0, 0, $('wallet-qr').width, $('wallet-qr').height);
  const trust = await heldTrust();
  if (!trust) {
    current = undefined;
    $('wallet-status').textContent = deps.reasonText('status_list_unavailable').ja;
    return;
  }
  current = { nonce: randomNonce(), aud: trust.audience };
  const url = requestUrl(trust, current.nonce);
  $('wallet-request').textContent = url;
  $('wallet-asks').textContent = trust.request.claims.map((claim) => ui(`wallet.asks.${claim}`)).join(' ');
  drawQr($('wallet-qr'), url);
  const oldest = Math.min(...Object.values(trust.lists).map((l) => l.fetchedAt));
  $('wallet-list-age').textContent = Number.isFinite(oldest) ? ui('wallet.list_age').replace('%s', new Date(oldest).toLocaleString('ja-JP')) : '';
  $('wallet-status').textContent = ui('wallet.reading');
  const run = (scanning = new AbortController());
  await startCamera($('wallet-camera')).catch(() => {
    $('wallet-status').textContent = ui('camera.none');
  });
  const value = await scan($('wallet-camera'), run.signal);
  if (value && !run.signal.aborted) await presented(value);
}

/** The phone's answer: the presentation itself, or an OpenID4VP vp_token object ({"<query id>": ["<presentation>"]}). */
function presentationOf(text) {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  try {
    const parsed = JSON.parse(trimmed);
    const token = parsed.vp_token ?? parsed;
    const first = Object.values(token)[0];
    return typeof (Array.isArray(first) ? first[0] : first) === 'string' ? (Array.isArray(first) ? first[0] : first) : trimmed;
  } catch {
    return trimmed;
  }
}

/** The key-binding JWT's nonce, read before anything is verified, only to spot a replay. */
function keyBindingNonce(presentation) {
  try {
    const payload = presentation.slice(presentation.lastIndexOf('~') + 1).split('.')[1];
    return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))).nonce;
  } catch {
    return undefined;
  }
}

async function spend(nonce) {
  const used = (await get(USED_KEY)) ?? [];
  await put(USED_KEY, [...used, nonce].slice(-USED_KEPT));
}

async function presented(text) {
  stopWallet();
  const request = current;
  current = undefined;
  if (!request) return walletScreen();
  show('working');
  const presentation = presentationOf(text);
  await spend(request.nonce);
  const reason = await verdict(presentation, request);
  if (reason) return refused(reason);
  await deps.checkIn('credential', { json: { presentation, nonce: request.nonce, aud: request.aud } });
}

/** Undefined when the presentation passes; else the reason it is refused for. */
async function verdict(presentation, request) {
  const seen = keyBindingNonce(presentation);
  if (seen && seen !== request.nonce && ((await get(USED_KEY)) ?? []).includes(seen)) return 'presentation_replayed';
  const trust = await heldTrust();
  try {
    const verified = await verifyPresentation(presentation, {
      trustedIssuers: [trust.issuer],
      audience: request.aud,
      nonce: request.nonce,
      now: new Date(),
      acceptedVcts: [trust.request.vct],
      requestedClaims: trust.request.claims,
      maxStatusListAgeSeconds: trust.maxStatusListAgeSeconds,
      statusList: async (uri) => {
        const held = trust.lists[uri] ?? (navigator.onLine ? await fetchList(uri) : undefined);
        return held ? { token: held.token, fetchedAt: new Date(held.fetchedAt) } : undefined;
      },
    });
    if (!trust.request.claims.every((claim) => Object.hasOwn(verified.claims, claim))) return 'credential_claims_missing';
    return undefined;
  } catch (error) {
    if (typeof error?.reason === 'string' && deps.reasonText(error.reason)) return error.reason;
    console.warn('wallet presentation not verified', error);
    return 'presentation_malformed';
  }
}

/** Recorded like any refused check-in (staff are told, now or when the network is back); the resident reads why at once. */
async function refused(reason) {
  const item = { id: crypto.randomUUID(), kind: 'credential', direction: deps.direction(), occurredAt: new Date().toISOString(), json: { refused: reason } };
  try {
    const answer = await deps.send(item);
    if (answer.status >= 500 || answer.status === 429) throw new Error(`server ${answer.status}`);
  } catch {
    await queueAdd(item);
    deps.updateNet();
  }
  deps.done({ result: 'rejected', reason, again: 'wallet' });
}

/** Given once by kiosk.js. */
export function wireWalletScreen(given) {
  deps = given;
  $('wallet-form').addEventListener('submit', (event) => {
    event.preventDefault();
    presented($('wallet-text').value);
  });
}
