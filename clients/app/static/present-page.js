// The wallet's answer to a verifier (/app/wallet/present): finds the held credentials that answer
// the request's DCQL query, shows exactly which facts the verifier will receive (and which it will
// not), and on 「提供する」 makes the presentation in this browser — only the requested disclosures,
// a key binding signed by the device key for this verifier's client id and nonce — and posts it to
// the verifier's response URI (direct_post), then follows the redirect it answers. 「やめる」 sends
// the OpenID4VP error access_denied and nothing else. A PASS kiosk's request (response_mode=qr)
// has no channel back but this screen: the presentation is shown as a QR code for the kiosk's
// camera, and 「やめる」 sends nothing. Every answer is kept in the history.
// The request is read from this page's own address, checked by the same module the server uses:
// offline, the service worker serves a copy of this page made without any request in it.
import { openWallet, walletSupported } from './wallet-store.js';
import { describeCredential, presentCredential } from '/app/lib/wallet/sd-jwt/holder.ts';
import { queryOf, readPresentationRequest } from '/app/lib/present/request.ts';
import { create as qrCode } from '/app/lib/qr-encoder.js';
import { byFactOrder, factLabel, factValue, fill, readWords } from './present-words.js';

const root = document.getElementById('present');
const words = readWords();
const read = readPresentationRequest(queryOf(location.search), { allowHttp: words.allowHttp });
const request = read.ok ? read.request : undefined;
const byQr = request?.mode === 'qr';
const message = document.getElementById('present-message');
const approve = document.getElementById('present-approve');
const decline = document.getElementById('present-decline');
/** The verifier's own name in the page's language (self-asserted). */
const named = request && (request.names[words.lang] ?? request.names.default ?? request.names.ja ?? request.names.en);
const verifier = request && {
  name: byQr ? (named ? `${words.kiosk}（${named}）` : words.kiosk) : (named ?? words.unnamed),
  origin: byQr ? words.words.by_qr : request.origin,
  clientId: request.clientId,
};
/** The credential chosen for each query id. */
const chosen = new Map();

function say(text, kind = 'notice') {
  message.textContent = text;
  message.className = text ? kind : '';
}

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** Held credentials that answer a query: its type, every fact asked for disclosable, not expired, not known to be revoked. The resident's own first. */
async function candidates(held, query) {
  const found = [];
  for (const record of held) {
    let described;
    try {
      described = await describeCredential(record.sdJwt);
    } catch {
      continue;
    }
    if (!query.vcts.includes(described.vct)) continue;
    const disclosable = new Map(described.disclosable.map((claim) => [claim.name, claim.value]));
    if (!query.claims.every((name) => disclosable.has(name))) continue;
    if (described.expiresAt && described.expiresAt.getTime() <= Date.now()) continue;
    if (record.status?.state === 'revoked') continue;
    found.push({ record, described, disclosable });
  }
  return found.sort((a, b) => Number(Boolean(a.record.personId)) - Number(Boolean(b.record.personId)));
}

/** What the verifier receives and what it does not, for the credentials chosen now. */
function draw() {
  const facts = document.getElementById('present-facts');
  const withheld = document.getElementById('present-withheld');
  facts.replaceChildren();
  withheld.replaceChildren();
  for (const query of request.queries) {
    const { described, disclosable } = chosen.get(query.id);
    for (const name of query.claims) {
      facts.append(element('dt', factLabel(words, name), { 'data-claim': name }), element('dd', factValue(words, name, disclosable.get(name)), { 'data-claim': name }));
    }
    for (const claim of described.alwaysDisclosed) {
      facts.append(element('dt', factLabel(words, claim.name) + words.words.always, { 'data-claim': claim.name }), element('dd', factValue(words, claim.name, claim.value), { 'data-claim': claim.name }));
    }
    const others = described.disclosable.map((claim) => claim.name).filter((name) => !query.claims.includes(name));
    for (const name of others.sort(byFactOrder)) withheld.append(element('li', factLabel(words, name), { 'data-claim': name }));
  }
  document.getElementById('present-gives').hidden = false;
  document.getElementById('present-withholds').hidden = withheld.children.length === 0;
}

/** With more than one credential for a query (the resident's and a family member's), the resident picks. */
function choices(query, found) {
  if (found.length < 2) return;
  const group = element('fieldset', undefined, { 'data-testid': `present-choose-${query.id}` });
  group.append(element('legend', words.words.choose));
  found.forEach((candidate, index) => {
    const id = `choose-${query.id}-${index}`;
    const input = element('input', undefined, { type: 'radio', name: `choose-${query.id}`, id, value: String(index) });
    input.checked = index === 0;
    input.addEventListener('change', () => {
      chosen.set(query.id, candidate);
      draw();
    });
    const type = words.types[candidate.described.vct] ?? candidate.described.vct;
    const row = element('p', undefined, { class: 'choice' });
    row.append(input, element('label', `${type} — ${words.wallet.for}: ${candidate.record.who ?? words.self}`, { for: id }));
    group.append(row);
  });
  document.getElementById('present-choices').append(group);
}

/** The direct_post: form-encoded, no cookies; answers the verifier's JSON (or nothing). */
async function send(fields) {
  const response = await fetch(request.responseUri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    credentials: 'omit',
    cache: 'no-store',
    redirect: 'error',
  });
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  return { ok: response.ok, body: body && typeof body === 'object' ? body : {} };
}

/**
 * The answer as a QR code the kiosk's camera reads from this screen. Error correction L: a screen
 * shows the code undamaged (no print wear, no dirt), and the lowest level keeps a ~1.5 KB
 * answer at version 29 (133 modules) instead of 32 (145) at M, so each module is larger on the
 * same screen: about 2.6 CSS pixels on a 390-pixel-wide phone, 8 device pixels at a density of 3.
 * Drawn at whole pixels per module and scaled up without smoothing.
 */
function showAnswer(text) {
  const canvas = document.getElementById('present-answer-qr');
  const { modules } = qrCode(text, { errorCorrectionLevel: 'L' });
  const margin = 4;
  const scale = 8;
  const size = (modules.size + margin * 2) * scale;
  canvas.width = size;
  canvas.height = size;
  Object.assign(canvas.style, { display: 'block', width: '100%', maxWidth: '40rem', height: 'auto', imageRendering: 'pixelated', background: '#fff' });
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, size, size);
  g.fillStyle = '#000';
  for (let row = 0; row < modules.size; row += 1) {
    for (let col = 0; col < modules.size; col += 1) if (modules.get(row, col)) g.fillRect((col + margin) * scale, (row + margin) * scale, scale, scale);
  }
  canvas.dataset.modules = String(modules.size);
  document.getElementById('present-answer-text').value = text;
  document.getElementById('present-form').hidden = true;
  document.getElementById('present-answer').hidden = false;
  root.dataset.answered = 'true';
  say('');
  document.getElementById('present-answer').scrollIntoView({ block: 'start' });
}

/** 「閉じる」: the code leaves the screen (the kiosk spends its nonce with the first reading anyway). */
function closeAnswer() {
  const canvas = document.getElementById('present-answer-qr');
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
  document.getElementById('present-answer-text').value = '';
  document.getElementById('present-answer').hidden = true;
  say(words.words.shown);
}

/** Only a web address is followed (never javascript: or the like). */
function followable(uri) {
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function record(wallet, result, facts) {
  return wallet
    .recordPresentation({ id: crypto.randomUUID(), at: new Date().toISOString(), verifier, facts, result })
    .catch((error) => console.warn('wallet: the presentation history was not written', error?.message ?? error));
}

async function finish(wallet, answer, result, facts) {
  const next = answer.ok ? followable(answer.body.redirect_uri) : undefined;
  await record(wallet, answer.ok ? result : 'failed', facts);
  if (next) {
    location.assign(next);
    return;
  }
  if (answer.ok) say(result === 'declined' ? words.words.declined : '');
  else {
    const text = answer.body.message?.[words.lang];
    say(typeof text === 'string' ? fill(words.words.refused, { message: text }) : words.words.failed, 'error');
  }
}

async function share(wallet) {
  approve.disabled = decline.disabled = true;
  say(words.words.sending);
  const facts = [];
  try {
    const { privateKey } = await wallet.deviceKey();
    const vpToken = {};
    for (const query of request.queries) {
      const { record: held, described, disclosable } = chosen.get(query.id);
      vpToken[query.id] = [await presentCredential(held.sdJwt, { disclose: query.claims, aud: request.clientId, nonce: request.nonce, key: privateKey, now: new Date() })];
      for (const name of query.claims) facts.push({ name, value: disclosable.get(name) });
      for (const claim of described.alwaysDisclosed) facts.push({ name: claim.name, value: claim.value });
    }
    if (byQr) {
      showAnswer(JSON.stringify(request.state === undefined ? { vp_token: vpToken } : { vp_token: vpToken, state: request.state }));
      await record(wallet, 'sent', facts);
      return;
    }
    await finish(wallet, await send({ vp_token: JSON.stringify(vpToken), state: request.state }), 'sent', facts);
  } catch (error) {
    console.warn('wallet: the presentation was not sent', error?.message ?? error);
    await record(wallet, 'failed', facts);
    say(words.words.failed, 'error');
  }
}

async function refuse(wallet) {
  approve.disabled = decline.disabled = true;
  if (byQr) {
    // Nothing goes to a kiosk: it simply reads no answer.
    await record(wallet, 'declined', []);
    say(words.words.declined);
    return;
  }
  try {
    await finish(wallet, await send({ error: 'access_denied', state: request.state }), 'declined', []);
  } catch (error) {
    console.warn('wallet: the refusal was not sent', error?.message ?? error);
    await record(wallet, 'declined', []);
    say(words.words.declined);
  }
}

/** The verifier as this page's own reading of the request names it (the offline copy was drawn without one). */
function drawVerifier() {
  document.getElementById('present-verifier-name').textContent = byQr ? words.kiosk : verifier.name;
  for (const node of root.querySelectorAll('[data-kiosk]')) node.hidden = !byQr;
  for (const node of root.querySelectorAll('[data-post]')) node.hidden = byQr;
  root.dataset.mode = request.mode;
  document.getElementById('present-facility').textContent = byQr ? (named ?? '') : '';
  document.getElementById('present-facility-line').hidden = !(byQr && named);
  document.getElementById('present-verifier-origin').textContent = request.origin ?? '';
}

/** A request this wallet cannot answer: its reason, and that nothing was sent (as the server's page says online). */
function refuseRequest(problem) {
  document.querySelector('[data-testid="present-verifier"]').hidden = true;
  document.getElementById('present-form').hidden = true;
  document.getElementById('present-refused').hidden = false;
  say(words.problems[problem] ?? words.words.failed, 'error');
  root.dataset.refused = problem;
}

async function start() {
  if (!read.ok) {
    refuseRequest(read.problem);
    return;
  }
  drawVerifier();
  document.getElementById('present-answer-close').addEventListener('click', closeAnswer);
  if (!walletSupported()) {
    say(words.words.unsupported, 'error');
    return;
  }
  const wallet = await openWallet(root.dataset.holder);
  decline.addEventListener('click', () => refuse(wallet));
  decline.disabled = false;
  const held = await wallet.credentials();
  let answerable = true;
  for (const query of request.queries) {
    const found = await candidates(held, query);
    if (!found.length) answerable = false;
    else {
      chosen.set(query.id, found[0]);
      choices(query, found);
    }
  }
  if (!answerable) {
    say(words.words.none, 'error');
    return;
  }
  draw();
  approve.addEventListener('click', () => share(wallet));
  approve.disabled = false;
  root.dataset.ready = 'true';
}


start().catch((error) => {
  console.warn('wallet: the request could not be shown', error?.message ?? error);
  say(words.words.failed, 'error');
});
