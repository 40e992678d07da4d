// The kiosk's My Number Card screen (kiosk.js shows it): pairing the card bridge on this machine,
// waiting for a card, the PIN pad, and the card check-in (or, for a pre-registered member, the
// enrollment of enroll.js) through card-reader.js. The PIN goes from the pad to the card and nowhere
// else; a wrong one is never retried by itself.
import * as api from './api.js';
import * as reader from './card-reader.js';
import { enrollWithPin } from './enroll.js';
import { queueAdd } from './store.js';
import { $, show, ui } from './views.js';

/** The card screen's current run: leaving the screen stops its polling. */
let cardRun;
/** What the card screen is for: a check-in, or registering a pre-registered member (enroll.js). */
let cardPurpose = 'checkin';
/** The PIN as typed on the pad: only ever handed to the card, then forgotten. */
let pin = '';
/** What kiosk.js lends the screen: its result screen, check-in sending and queue, the direction chosen. */
let deps;

function cardStep(id) {
  for (const step of document.querySelectorAll('#card .card-step')) step.hidden = step.id !== `card-${id}`;
}

export function stopCard() {
  cardRun?.abort();
  cardRun = undefined;
  pin = '';
  reader.release();
}

const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export async function cardScreen(purpose = 'checkin') {
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
  if (cardPurpose === 'enroll') return enrollWithPin(typed, { done: deps.done, cardFailed });
  show('working');
  const challenge = await api.call('POST', '/api/kiosk/card/challenges').catch(() => undefined);
  if (challenge?.status !== 201) {
    await reader.release();
    return deps.done({ result: 'rejected', reason: 'card_unavailable', ...(challenge?.body ?? {}) });
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
  await deps.checkIn('card', { json: { challengeId: challenge.body.challengeId, certificate: b64(proof.certificate), signature: b64(proof.signature) } });
  await releasing;
}

/** What the card said no to is recorded like any refused check-in (staff are told); the resident reads the card's own words. */
async function cardRefused(reason, words) {
  const item = { id: crypto.randomUUID(), kind: 'card', direction: deps.direction(), occurredAt: new Date().toISOString(), json: { refused: reason } };
  let view;
  try {
    const answer = await deps.send(item);
    if (answer.status >= 500 || answer.status === 429) throw new Error(`server ${answer.status}`);
    view = answer.body;
  } catch {
    await queueAdd(item);
    deps.updateNet();
  }
  deps.done({ ...(view ?? { result: 'rejected', reason }), ...(words ? { message: words } : {}), again: reason === 'wrong_pin' ? 'card' : undefined });
}

/** A card's refusal: a check-in records it for staff; registering only tells the resident (nothing to record). */
function cardSaidNo(reason, words) {
  if (cardPurpose !== 'enroll') return cardRefused(reason, words);
  deps.done({ result: 'rejected', reason, ...(words ? { message: words } : {}), again: reason === 'wrong_pin' ? 'enroll' : undefined });
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

/** Given once by kiosk.js: the pad's keys, the keyboard, pairing, retry and the development simulator's buttons. */
export function wireCardScreen(given) {
  deps = given;
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
}
