// PASS Face kiosk: provisioning by the device authorization grant, then check-in by face, QR
// code, My Number Card or a code scanned by phone. Every check-in has an id made here; when the
// network fails the check-in waits in IndexedDB and is sent again with the same id (never twice).
import * as api from './api.js';
import { get, put, queueAdd, queueAll, queueDelete } from './store.js';
import { grabJpeg, startCamera } from './camera.js';
import { scan } from './qr-reader.js';
import { $, setNet, show, showResult, ui } from './views.js';

const issuer = document.body.dataset.issuer;
api.setIssuer(issuer);
let kiosk;
let direction = 'in';
let scanning;
let phoneTimer;
let resultTimer;
let cameraReady = Promise.resolve(false);

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
    await api.forget();
    return provision();
  }
  if (me.status !== 200) return;
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
  await cameraReady;
  await refreshMe();
}

function done(view) {
  showResult(view);
  clearTimeout(resultTimer);
  resultTimer = setTimeout(() => !$('result').hidden && back(), 8000);
}

function back() {
  scanning?.abort();
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
    done(answer.body);
  } catch {
    if (kind === 'card') return done({ result: 'rejected', reason: 'card_unavailable' }); // a card challenge cannot wait
    await queueAdd(item);
    done({ result: 'accepted', message: { ja: ui('queued'), en: ui('queued') }, queued: true });
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
async function faceCheckIn() {
  await cameraReady;
  const blob = await grabJpeg($('camera')).catch(() => undefined);
  if (!blob) return done({ result: 'rejected', message: { ja: ui('camera.none'), en: ui('camera.none') } });
  await checkIn('face', { blob });
}

async function qrScreen() {
  show('qr');
  $('qr-text').value = '';
  scanning = new AbortController();
  const value = await scan($('camera'), scanning.signal);
  if (value) await checkIn('qr', { json: { token: value.trim() } });
}

async function cardScreen() {
  show('card');
  const list = await api.call('GET', '/api/kiosk/dev/cards').catch(() => undefined);
  const select = $('card-id');
  select.replaceChildren();
  for (const card of list?.body?.cards ?? []) {
    const option = document.createElement('option');
    option.value = card.id;
    option.textContent = card.label;
    select.append(option);
  }
}

async function cardCheckIn(cardId, pin) {
  show('working');
  const challenge = await api.call('POST', '/api/kiosk/card/challenges');
  if (challenge.status !== 201) return done({ result: 'rejected', ...challenge.body });
  // The development reader plays the card; a real NFC reader bridge answers the same question.
  const signed = await api.call('POST', `/api/kiosk/dev/cards/${encodeURIComponent(cardId)}/authenticate`, { json: { pin, challenge: challenge.body.challenge } });
  if (signed.status !== 200) return done({ result: 'rejected', ...signed.body });
  await checkIn('card', { json: { challengeId: challenge.body.challengeId, certificate: signed.body.certificate, signature: signed.body.signature } });
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
$('go-qr').addEventListener('click', () => qrScreen());
$('go-card').addEventListener('click', () => cardScreen());
$('go-phone').addEventListener('click', () => phoneScreen());
$('result-ok').addEventListener('click', () => back());
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
$('card-form').addEventListener('submit', (event) => {
  event.preventDefault();
  cardCheckIn($('card-id').value, $('card-pin').value);
  $('card-pin').value = '';
});
addEventListener('online', () => flush());
addEventListener('offline', () => updateNet());
setInterval(() => flush(), 5000);

(async () => {
  const tokens = await api.loadTokens();
  if (tokens && (await get('kiosk'))) {
    await ready();
    flush();
  } else provision();
})();
