// PASS Face kiosk: provisioning by the device authorization grant, then check-in by face, QR
// code, My Number Card or a code scanned by phone; a resident who steps up and holds still is
// checked in by face with no button (face-watch.js). Every check-in has an id made here; when the
// network fails the check-in waits in IndexedDB and is sent again with the same id (never twice).
import * as api from './api.js';
import { get, put, queueAdd, queueAll, queueDelete } from './store.js';
import { grabJpeg, startCamera } from './camera.js';
import { scan } from './qr-reader.js';
import { loadDetector, watchFaces } from './face-watch.js';
import * as reader from './card-reader.js';
import { enrollWithPin } from './enroll.js';
import { $, other, setNet, show, showResult, ui } from './views.js';

const issuer = document.body.dataset.issuer;
api.setIssuer(issuer);
let kiosk;
let direction = 'in';
let scanning;
let phoneTimer;
let resultTimer;
/** The card screen's current run: leaving the screen stops its polling. */
let cardRun;
/** What the card screen is for: a check-in, or registering a pre-registered member (enroll.js). */
let cardPurpose = 'checkin';
/** The PIN as typed on the pad: only ever handed to the card, then forgotten. */
let pin = '';
let cameraReady = Promise.resolve(false);
/** The close, signed in advance, that the page sends as it goes away (api.prepareLastCall). */
let closing;
/** The camera's watch for residents stepping up (face-watch.js); undefined until the detector is loaded. */
let watcher;
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
const AGAIN = { face: ['face.again', () => faceCheckIn()], card: ['card.again', () => cardScreen()], enroll: ['enroll.again', () => cardScreen('enroll')] };

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
/** One frame to PASS, which decides. `auto`: the watch saw a resident step up; a button press is the same visit. */
async function faceCheckIn({ auto = false } = {}) {
  if (!auto) watcher?.disarm();
  await cameraReady;
  mark('kiosk:face-sent');
  const blob = await grabJpeg($('camera')).catch(() => undefined);
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

// ---- My Number Card, through the card bridge on this machine (card-reader.js) ---------------
function cardStep(id) {
  for (const step of document.querySelectorAll('#card .card-step')) step.hidden = step.id !== `card-${id}`;
}

function stopCard() {
  cardRun?.abort();
  cardRun = undefined;
  pin = '';
  reader.release();
}

const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function cardScreen(purpose = 'checkin') {
  stopCard();
  cardPurpose = purpose;
  $('card-title').textContent = ui(purpose === 'enroll' ? 'method.enroll' : 'method.card');
  show('card');
  const run = (cardRun = new AbortController());
  const panel = $('card-simulator');
  if (panel) panel.hidden = true;
  if (!(await reader.paired())) return cardStep('pair');
  simulatorPanel();
  try {
    cardStep('place');
    if (!(await reader.waitForCard(run.signal))) return;
    // Read first, without spending a try: a locked card is told so before any PIN is asked for.
    const status = await reader.pinStatus();
    if (run.signal.aborted) return;
    if (status.locked) {
      await reader.release();
      return cardSaidNo('pin_locked', reader.cardWords('pin_locked'));
    }
    pinPad(status.triesLeft);
  } catch (error) {
    if (!run.signal.aborted) await cardFailed(error);
  }
}

function pinPad(triesLeft) {
  pin = '';
  showPin();
  $('card-tries').textContent = triesLeft === undefined ? '' : ui('card.tries').replace('%s', String(triesLeft));
  cardStep('pin');
}

function showPin() {
  $('pin-dots').querySelectorAll('span').forEach((dot, i) => dot.classList.toggle('filled', i < pin.length));
  $('pin-ok').disabled = pin.length !== 4;
}

async function submitPin() {
  if (pin.length !== 4) return;
  const typed = pin;
  pin = '';
  showPin();
  if (cardPurpose === 'enroll') return enrollWithPin(typed, { done, cardFailed });
  show('working');
  const challenge = await api.call('POST', '/api/kiosk/card/challenges').catch(() => undefined);
  if (challenge?.status !== 201) {
    await reader.release();
    return done({ result: 'rejected', reason: 'card_unavailable', ...(challenge?.body ?? {}) });
  }
  let proof;
  try {
    proof = await reader.proof(typed, unb64(challenge.body.challenge));
  } catch (error) {
    await reader.release();
    return cardFailed(error);
  }
  // The card is reset while PASS records the check-in: its verified PIN is gone before anyone else can use it.
  const releasing = reader.release();
  await checkIn('card', { json: { challengeId: challenge.body.challengeId, certificate: b64(proof.certificate), signature: b64(proof.signature) } });
  await releasing;
}

/** What the card said no to is recorded like any refused check-in (staff are told); the resident reads the card's own words. */
async function cardRefused(reason, words) {
  const item = { id: crypto.randomUUID(), kind: 'card', direction, occurredAt: new Date().toISOString(), json: { refused: reason } };
  let view;
  try {
    const answer = await send(item);
    if (answer.status >= 500 || answer.status === 429) throw new Error(`server ${answer.status}`);
    view = answer.body;
  } catch {
    await queueAdd(item);
    updateNet();
  }
  done({ ...(view ?? { result: 'rejected', reason }), ...(words ? { message: words } : {}), again: reason === 'wrong_pin' ? 'card' : undefined });
}

/** A card's refusal: a check-in records it for staff; registering only tells the resident (nothing to record). */
function cardSaidNo(reason, words) {
  if (cardPurpose !== 'enroll') return cardRefused(reason, words);
  done({ result: 'rejected', reason, ...(words ? { message: words } : {}), again: reason === 'wrong_pin' ? 'enroll' : undefined });
}

async function cardFailed(error) {
  if (reader.bridgeReason(error) === 'not_paired') {
    await reader.forget();
    return cardScreen(cardPurpose);
  }
  const reason = error?.reason;
  if (reason === 'wrong_pin' || reason === 'pin_locked') return cardSaidNo(reason, reader.words(error));
  // Once the sequence began, a card gone from the reader is a card pulled off mid-way.
  if (reason === 'card_removed' || reason === 'no_card') return cardSaidNo('card_removed', reader.cardWords('card_removed'));
  show('card');
  document.querySelector('#card-unavailable .card-prompt').textContent = reader.words(error)?.ja ?? ui('card.unavailable');
  cardStep('unavailable');
}

async function pairReader(code) {
  $('card-pair-status').textContent = ui('working');
  try {
    const refused = await reader.pair(code, (typed, nonce) => api.call('POST', '/api/kiosk/card-reader/pairing', { json: { code: typed, nonce } }));
    if (refused) {
      const left = refused.details?.attempts_left;
      $('card-pair-status').textContent = `${refused.message?.ja ?? ui('card.unavailable')}${left !== undefined ? ` ${ui('card.pair.left').replace('%s', String(left))}` : ''}`;
      return;
    }
    $('card-pair-status').textContent = ui('card.pair.done');
    await cardScreen(cardPurpose);
  } catch (error) {
    $('card-pair-status').textContent = reader.words(error)?.ja ?? ui('card.unavailable');
  }
}

/** PASS's development start: a demo resident's simulated card is put on the reader here. */
async function simulatorPanel() {
  const panel = $('card-simulator');
  if (!panel) return;
  const answer = await reader.simulator('GET', '/simulator/cards').catch(() => undefined);
  if (!answer?.cards) return;
  const select = $('card-simulator-card');
  select.replaceChildren();
  for (const card of answer.cards) {
    const option = document.createElement('option');
    option.value = card.id;
    option.textContent = `${card.label}${card.revoked ? ' ✕' : ''}`;
    option.selected = card.id === answer.holding;
    select.append(option);
  }
  panel.hidden = false;
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
$('go-enroll').addEventListener('click', () => cardScreen('enroll'));
$('go-phone').addEventListener('click', () => phoneScreen());
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
for (const key of document.querySelectorAll('.pin-key[data-digit]')) {
  key.addEventListener('click', () => {
    if (pin.length < 4) pin += key.dataset.digit;
    showPin();
  });
}
$('pin-clear').addEventListener('click', () => {
  pin = '';
  showPin();
});
$('pin-ok').addEventListener('click', () => submitPin());
addEventListener('keydown', (event) => {
  if ($('card-pin').hidden || $('card').hidden) return;
  if (/^[0-9]$/.test(event.key) && pin.length < 4) pin += event.key;
  else if (event.key === 'Backspace') pin = pin.slice(0, -1);
  else if (event.key === 'Enter') return submitPin();
  else return;
  event.preventDefault();
  showPin();
});
$('card-pair-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const code = $('card-pair-code').value.replace(/\D/g, '');
  $('card-pair-code').value = '';
  pairReader(code);
});
$('card-retry').addEventListener('click', () => cardScreen(cardPurpose));
$('card-simulator-put')?.addEventListener('click', async () => {
  await reader.simulator('POST', '/simulator/put', { id: $('card-simulator-card').value });
});
$('card-simulator-take')?.addEventListener('click', async () => {
  await reader.simulator('POST', '/simulator/take');
});
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
