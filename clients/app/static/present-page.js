// The wallet's answer to a verifier (/app/wallet/present): finds the held credentials that answer
// the request's DCQL query, shows exactly which facts the verifier will receive (and which it will
// not), and on 「提供する」 makes the presentation in this browser — only the requested disclosures,
// a key binding signed by the device key for this verifier's client id and nonce — and posts it to
// the verifier's response URI (direct_post), then follows the redirect it answers. 「やめる」 sends
// the OpenID4VP error access_denied and nothing else. Every answer is kept in the history.
import { openWallet, walletSupported } from './wallet-store.js';
import { describeCredential, presentCredential } from '/app/lib/wallet/sd-jwt/holder.ts';
import { byFactOrder, factLabel, factValue, fill, readWords } from './present-words.js';

const root = document.getElementById('present');
const request = JSON.parse(document.getElementById('present-request').textContent);
const words = readWords();
const message = document.getElementById('present-message');
const approve = document.getElementById('present-approve');
const decline = document.getElementById('present-decline');
const verifier = {
  name: document.querySelector('[data-testid="present-verifier-name"]').textContent,
  origin: request.origin,
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
    await finish(wallet, await send({ vp_token: JSON.stringify(vpToken), state: request.state }), 'sent', facts);
  } catch (error) {
    console.warn('wallet: the presentation was not sent', error?.message ?? error);
    await record(wallet, 'failed', facts);
    say(words.words.failed, 'error');
  }
}

async function refuse(wallet) {
  approve.disabled = decline.disabled = true;
  try {
    await finish(wallet, await send({ error: 'access_denied', state: request.state }), 'declined', []);
  } catch (error) {
    console.warn('wallet: the refusal was not sent', error?.message ?? error);
    await record(wallet, 'declined', []);
    say(words.words.declined);
  }
}

async function start() {
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
