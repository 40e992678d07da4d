// PASS Face kiosk: provisioning by the device authorization grant, then check-in by face, QR
// code, My Number Card, a wallet presentation (verified on this page, offline too) or a code scanned by phone; a resident who steps up and holds still is
// checked in by face with no button (face-watch.js). Every check-in has an id made here; when the
// network fails the check-in waits in IndexedDB and is sent again with the same id (never twice).
import * as api from './api.js';
import { get, put, queueAdd, queueAll, queueDelete } from './store.js';
import { grabJpeg, startCamera } from './camera.js';
import { scan } from './qr-reader.js';
import { loadDetector, watchFaces } from './face-watch.js';
import { cardScreen, stopCard, wireCardScreen } from './card-screen.js';
import { stopWallet, walletScreen, wireWalletScreen } from './wallet-screen.js';
import { refreshTrust, REFRESH_MS } from './wallet-trust.js';
import { $, other, reason, setNet, show, showResult, ui, uiWords } from './views.js';

const issuer = document.body.dataset.issuer;
api.setIssuer(issuer);
let kiosk;
let direction = 'in';
let scanning;
let phoneTimer;
let resultTimer;
let cameraReady = Promise.resolve(false);
/** The close, signed in advance, that the page sends as it goes away (api.prepareLastCall). */
let closing;
/** The camera's watch for residents stepping up (face-watch.js); undefined until the detector is loaded. */
let watcher;
/** A method was chosen by button before the watch began: the face already in view is that visit's. */
let buttonVisit = false;
/** Staff see a kiosk as offline after missing a few of these (src/kiosk/kiosk-health.ts). */
const HEARTBEAT_MS = 30_000;

// ---- provisioning -------------------------------------------------------------------------
async function activate(facilityId) {
  const answer = await api.call('POST', '/api/kiosk/activation', { json: facilityId ? { facilityId } : {} });
  if (answer.status === 409 && answer.body.reason === 'facility_choice_required') {
    const box = $('facility-choice');
    box.replaceChildren();
    for (const f of answer.body.details.facilities) {
      const button = document.createElement('button');
      button.className = 'big';
      button.textContent = f.nameJa;
      button.addEventListener('click', () => activate(f.id));
      box.append(button);
    }
    $('setup-status').textContent = ui('setup.choose');
    return;
  }
  if (answer.status >= 400) {
    $('setup-status').textContent = answer.body.message?.ja ?? ui('setup.expired');
    await api.forget();
    $('setup-start').hidden = false;
    return;
  }
  await put('kiosk', answer.body);
  await ready();
}

async function provision() {
  show('setup');
  $('setup-start').hidden = true;
  $('setup-status').textContent = ui('setup.waiting');
  const auth = await api.startDeviceAuthorization();
  $('user-code').textContent = auth.user_code;
  $('verification-link').textContent = auth.verification_uri;
  $('verification-link').href = auth.verification_uri_complete;
  $('verification-link').hidden = false;
  $('setup-qr').src = `/kiosk/qr.svg?data=${encodeURIComponent(auth.verification_uri_complete)}`;
  $('setup-qr').hidden = false;
  const outcome = await api.pollDeviceToken(auth);
  if (outcome === 'approved') return activate();
  $('setup-status').textContent = ui('setup.expired');
  $('setup-start').hidden = false;
}

// ---- the check-in screen ------------------------------------------------------------------
async function refreshMe() {
  const me = await api.call('GET', '/api/kiosk/me').catch(() => undefined);
  if (!me) return;
  if (me.status === 401 || me.status === 403) {
    kiosk = undefined;
    closing = undefined;
    await api.forget();
    return provision();
  }
  if (me.status !== 200) return;
  closing = await api.prepareLastCall('POST', '/api/kiosk/close').catch(() => undefined);
  $('facility-name').textContent = me.body.facility.nameJa;
  const shelter = me.body.facility.kind === 'shelter';
  $('direction').hidden = !shelter;
  $('occupancy').hidden = !shelter;
  $('emergency').hidden = !me.body.emergency;
  if (shelter) $('occupancy-count').textContent = String(me.body.occupancy ?? 0);
}

async function ready() {
  kiosk = await get('kiosk');
  show('ready');
  $('facility-name').textContent = kiosk?.facility?.nameJa ?? '';
  cameraReady = startCamera($('camera')).then(() => true, () => false);
  if (await cameraReady) startWatching();
  await refreshMe();
  refreshWallet();
}

/** The wallet's trust material, fetched while PASS answers (wallet-trust.js); offline the held one stays. */
function refreshWallet() {
  if (kiosk) refreshTrust().catch(() => {});
}

/** Started once: it keeps watching (for who leaves) and checks in only from the ready screen. */
async function startWatching() {
  if (watcher || !(await loadDetector()) || watcher) return;
  watcher = watchFaces($('camera'), {
    looking: () => !$('ready').hidden,
    arrived: () => faceCheckIn({ auto: true }),
    state: faceHint,
    // The time from a face coming into view to the result on screen (measured in the browser tests).
    seen: () => mark('kiosk:face-seen'),
  });
  if (buttonVisit) watcher.disarm();
}

/** The latest of each only: a kiosk runs for weeks, and marks would pile up in the page's timeline. */
function mark(name) {
  performance.clearMarks(name);
  performance.mark(name);
}

function faceHint(kind, progress) {
  const key = { none: 'face.none', far: 'face.far', several: 'face.several', one: 'face.one', sending: 'face.sending', done: 'face.done' }[kind];
  $('face-hint').hidden = !key;
  if (!key) return;
  $('face-hint').dataset.state = kind;
  $('face-hint-main').textContent = ui(key);
  $('face-hint-other').textContent = other(key);
  $('face-meter').style.width = `${Math.round(progress * 100)}%`;
}

/** What the result screen's retry button does, by what it retries. */
const AGAIN = { face: ['face.again', () => faceCheckIn()], card: ['card.again', () => cardScreen()], enroll: ['enroll.again', () => cardScreen('enroll')], wallet: ['wallet.again', () => walletScreen()] };

function done(view) {
  showResult(view);
  mark('kiosk:result');
  // A refusal is never retried by itself (a wrong PIN, or a face PASS did not know): the resident chooses to.
  const again = AGAIN[view.again];
  $('result-again').hidden = !again;
  $('result-again').dataset.again = view.again ?? '';
  if (again) {
    $('result-again').textContent = ui(again[0]);
    $('result-again').classList.add('primary');
    $('result-again').focus();
  }
  clearTimeout(resultTimer);
  resultTimer = setTimeout(() => !$('result').hidden && back(), 8000);
}

function back() {
  scanning?.abort();
  stopCard();
  stopWallet();
  clearInterval(phoneTimer);
  show('ready');
  refreshMe();
}

// ---- sending check-ins, and the offline queue ---------------------------------------------
async function send(item) {
  if (item.kind === 'face') {
    const query = new URLSearchParams({ id: item.id, direction: item.direction, occurred_at: item.occurredAt });
    return api.call('POST', `/api/kiosk/checkins/face?${query}`, { blob: item.blob });
  }
  return api.call('POST', `/api/kiosk/checkins/${item.kind}`, { json: { id: item.id, direction: item.direction, occurredAt: item.occurredAt, ...item.json } });
}

/** Sends now; on a network failure or a server outage the check-in is queued under its id. */
async function checkIn(kind, payload) {
  const item = { id: crypto.randomUUID(), kind, direction, occurredAt: new Date().toISOString(), ...payload };
  show('working');
  try {
    const answer = await send(item);
    if (answer.status >= 500 || answer.status === 429) throw new Error(`server ${answer.status}`);
    done({ ...answer.body, ...(kind === 'face' && answer.body.result !== 'accepted' ? { again: 'face' } : {}) });
  } catch {
    if (kind === 'card') return done({ result: 'rejected', reason: 'card_unavailable' }); // a card challenge cannot wait
    await queueAdd(item);
    // A presentation this page verified is accepted now; PASS checks it again when it arrives.
    const words = kind === 'credential' ? uiWords('wallet.verified') : { ja: ui('queued'), en: ui('queued') };
    done({ result: 'accepted', message: words, queued: true });
    updateNet();
  }
}

let flushing = false;
async function flush() {
  if (flushing) return;
  flushing = true;
  try {
    for (const item of await queueAll()) {
      const answer = await send(item);
      if (answer.status >= 500 || answer.status === 429 || answer.status === 401) break;
      await queueDelete(item.id); // recorded (or refused for good): the same id is never sent again
    }
  } catch {
    // Still offline: try again later.
  } finally {
    flushing = false;
    updateNet();
  }
}

async function updateNet() {
  setNet(navigator.onLine, (await queueAll()).length);
}

// ---- methods ------------------------------------------------------------------------------
/** One frame to PASS, which decides. `auto`: the watch saw a resident step up; a button press is the same visit. */
async function faceCheckIn({ auto = false } = {}) {
  if (!auto) watcher?.disarm();
  await cameraReady;
  mark('kiosk:face-sent');
  const blob = await grabJpeg($('camera')).catch(() => undefined);
  // The resident pressed a button while the frame was taken: their choice wins, nothing is sent.
  if (auto && $('ready').hidden) return;
  if (!blob) return done({ result: 'rejected', message: { ja: ui('camera.none'), en: ui('camera.none') } });
  await checkIn('face', { blob });
}

/** The code is read on this tablet (qr-reader.js) from the camera the resident sees themselves in. */
async function qrScreen() {
  show('qr');
  $('qr-text').value = '';
  $('qr-staff').open = false;
  $('qr-status').textContent = ui('qr.reading');
  scanning?.abort();
  const run = (scanning = new AbortController());
  await cameraReady;
  await startCamera($('qr-camera')).catch(() => {
    $('qr-status').textContent = ui('camera.none');
  });
  const value = await scan($('qr-camera'), run.signal);
  if (value && !run.signal.aborted) await checkIn('qr', { json: { token: value.trim() } });
}

async function phoneScreen() {
  show('phone');
  const created = await api.call('POST', '/api/kiosk/checkin-codes', { json: { direction } });
  if (created.status !== 201) return done({ result: 'rejected', ...created.body });
  $('phone-code').textContent = created.body.code;
  $('phone-link').textContent = created.body.url;
  $('phone-link').href = created.body.url;
  $('phone-qr').src = `/kiosk/qr.svg?data=${encodeURIComponent(created.body.url)}`;
  const code = created.body.code.replace('-', '');
  clearInterval(phoneTimer);
  phoneTimer = setInterval(async () => {
    const state = await api.call('GET', `/api/kiosk/checkin-codes/${code}`).catch(() => undefined);
    if (state?.status === 200 && state.body.lastCheckin) {
      clearInterval(phoneTimer);
      done(state.body.lastCheckin);
    } else if (state?.status === 404) phoneScreen();
  }, 1500);
}

// ---- wiring -------------------------------------------------------------------------------
$('setup-start').addEventListener('click', () => provision());
$('go-face').addEventListener('click', () => faceCheckIn());
// A method chosen by button is this visit's check-in: the face in view is not checked in as well when the screen comes back.
const chosen = (method) => () => {
  buttonVisit = true;
  watcher?.disarm();
  method();
};
$('go-qr').addEventListener('click', chosen(() => qrScreen()));
$('go-card').addEventListener('click', chosen(() => cardScreen()));
$('go-enroll').addEventListener('click', chosen(() => cardScreen('enroll')));
$('go-phone').addEventListener('click', chosen(() => phoneScreen()));
$('go-wallet').addEventListener('click', chosen(() => walletScreen()));
$('result-ok').addEventListener('click', () => back());
$('result-again').addEventListener('click', () => {
  clearTimeout(resultTimer);
  AGAIN[$('result-again').dataset.again]?.[1]();
});
for (const button of document.querySelectorAll('.back')) button.addEventListener('click', () => back());
for (const button of document.querySelectorAll('.dir')) {
  button.addEventListener('click', () => {
    direction = button.dataset.direction;
    for (const b of document.querySelectorAll('.dir')) b.setAttribute('aria-pressed', String(b === button));
  });
}
$('qr-form').addEventListener('submit', (event) => {
  event.preventDefault();
  scanning?.abort();
  checkIn('qr', { json: { token: $('qr-text').value.trim() } });
});
wireCardScreen({ done, checkIn, send, updateNet, direction: () => direction });
wireWalletScreen({ done, checkIn, send, updateNet, direction: () => direction, reasonText: reason });
// The heartbeat is the ready screen's own call, so staff see the kiosk online while it waits.
setInterval(() => {
  if (kiosk) refreshMe();
}, HEARTBEAT_MS);
// Closing the page (or the browser) tells PASS at once, so staff do not see it running for minutes.
addEventListener('pagehide', () => {
  api.sendLastCall(closing);
  closing = undefined;
});
addEventListener('pageshow', (event) => {
  if (event.persisted && kiosk) refreshMe();
});
addEventListener('online', () => {
  flush();
  refreshWallet();
});
setInterval(() => refreshWallet(), REFRESH_MS);
addEventListener('offline', () => updateNet());
setInterval(() => flush(), 5000);

(async () => {
  const tokens = await api.loadTokens();
  if (tokens && (await get('kiosk'))) {
    await ready();
    flush();
  } else provision();
})();
