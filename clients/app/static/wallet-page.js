// The wallet page (/app/wallet): lists the credentials this phone holds (IndexedDB), with their
// facts in plain words, expiry and status, and receives new ones through OpenID4VCI with the
// device key. It works from the service worker's copy when offline: everything it shows comes
// from IndexedDB and the page's own words; only receiving and the status refresh need the network.
// Texts are set with textContent only: nothing from a credential is ever parsed as HTML.
import { openWallet, walletSupported } from './wallet-store.js';
import { issuerPayload, receiveCredential } from './wallet-issuance.js';
import { describeCredential } from '/app/lib/wallet/sd-jwt/holder.ts';
import { decodeStatusList, statusAt } from '/app/lib/wallet/sd-jwt/status-list.ts';

const root = document.getElementById('wallet');
const words = JSON.parse(document.getElementById('wallet-words').textContent);
const list = document.getElementById('wallet-list');
const none = document.getElementById('wallet-none');
const message = document.getElementById('wallet-message');
const buttons = [...document.querySelectorAll('button[data-receive]')];
const LOCALE = words.lang === 'en' ? 'en-GB' : 'ja-JP';
/** Claims of the credential's frame, not facts about the person. */
const FRAME = new Set(['iss', 'iat', 'nbf', 'exp', 'vct', 'cnf', 'status', 'sub', '_sd', '_sd_alg', 'vct#integrity']);
/** The order facts are listed in. */
const ORDER = ['name', 'birthdate', 'gender', 'address', 'resident_of'];

function say(text, kind = 'notice') {
  message.textContent = text;
  message.className = text ? kind : '';
}

function fill(template, values) {
  return Object.entries(values).reduce((text, [key, value]) => text.replaceAll(`{${key}}`, String(value)), template);
}

function dateTime(value) {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : new Intl.DateTimeFormat(LOCALE, { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Tokyo' }).format(date);
}

function calendarDate(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value));
  if (!match) return String(value);
  return new Intl.DateTimeFormat(LOCALE, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))));
}

/** Every fact a credential holds as [name, value]: those the resident may disclose or not, and those every presentation carries. */
function factsOf(described) {
  const pairs = [...described.disclosable, ...described.alwaysDisclosed].map((claim) => [claim.name, claim.value]);
  const facts = pairs.filter(([name]) => typeof name === 'string' && !FRAME.has(name));
  const rank = (name) => (ORDER.includes(name) ? ORDER.indexOf(name) : name.startsWith('age_over_') ? 100 + Number(name.slice(9)) : name === 'verification' ? 1000 : 500);
  return facts.sort((a, b) => rank(a[0]) - rank(b[0]));
}

/** A fact in the resident's words: [label, value]. */
function wordsFor(name, value) {
  const age = /^age_over_(\d{1,3})$/.exec(name);
  if (age) return [fill(words.words.age_over, { n: age[1] }), value === true ? words.words.yes : value === false ? words.words.no : String(value)];
  switch (name) {
    case 'birthdate':
      return [words.facts.birthdate, calendarDate(value)];
    case 'gender':
      return [words.facts.gender, words.genders[value] ?? String(value)];
    case 'address':
      return [words.facts.address, typeof value?.formatted === 'string' ? value.formatted : JSON.stringify(value)];
    case 'resident_of': {
      const place = words.municipalities[value];
      return [words.facts.resident_of, place ? fill(words.words.place, { name: place, code: value }) : String(value)];
    }
    case 'verification': {
      const when = value?.time ? dateTime(value.time) : null;
      return [words.facts.verification, when ? fill(words.words['verification.card'], { when }) : String(value?.trust_framework ?? '')];
    }
    default:
      return [words.facts[name] ?? name, typeof value === 'string' ? value : JSON.stringify(value)];
  }
}

/** Valid, expired, revoked or not checked yet, from what was last seen. */
function statusOf(record, payload) {
  if (typeof payload.exp === 'number' && payload.exp * 1000 <= Date.now()) return { key: 'expired', active: false };
  if (record.status?.state === 'revoked') return { key: 'revoked', active: false, at: record.status.checkedAt };
  if (record.status?.state === 'valid') return { key: 'valid', active: true, at: record.status.checkedAt };
  return { key: 'unknown', active: false };
}

function row(dl, label, value, testid) {
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  if (value instanceof Node) dd.append(value);
  else dd.textContent = value;
  if (testid) dd.dataset.testid = testid;
  dl.append(dt, dd);
}

async function card(wallet, record) {
  const payload = issuerPayload(record.sdJwt);
  const described = await describeCredential(record.sdJwt);
  const item = document.createElement('li');
  item.className = 'tile';
  item.dataset.testid = 'credential';
  item.dataset.vct = String(payload.vct);
  const heading = document.createElement('h3');
  heading.textContent = words.types[payload.vct] ?? String(payload.vct);
  item.append(heading);

  const about = document.createElement('dl');
  about.className = 'profile';
  row(about, words.words.for, record.who ?? words.self, 'credential-for');
  row(about, words.words.expires, typeof payload.exp === 'number' ? dateTime(payload.exp) : '—', 'credential-expires');
  const status = statusOf(record, payload);
  const badge = document.createElement('span');
  badge.className = `status${status.active ? ' active' : ''}`;
  badge.dataset.testid = 'credential-status';
  badge.dataset.state = status.key;
  badge.textContent = words.words[`status.${status.key}`] + (status.at ? fill(words.words['status.checked'], { when: dateTime(status.at) }) : '');
  row(about, words.words.status, badge);
  row(about, words.words.issued, dateTime(record.receivedAt));
  item.append(about);

  const factsHeading = document.createElement('h4');
  factsHeading.textContent = words.words.facts;
  const facts = document.createElement('dl');
  facts.className = 'profile';
  facts.dataset.testid = 'credential-facts';
  for (const [name, value] of factsOf(described)) {
    const [label, text] = wordsFor(name, value);
    row(facts, label, text);
    facts.lastElementChild.dataset.claim = name;
  }
  item.append(factsHeading, facts);

  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'secondary';
  remove.textContent = words.words.remove;
  remove.setAttribute('aria-label', `${words.words.remove}: ${heading.textContent}`);
  remove.addEventListener('click', async () => {
    if (!window.confirm(words.words['remove.confirm'])) return;
    await wallet.remove(record.id);
    await render(wallet);
  });
  item.append(remove);
  return item;
}

async function render(wallet) {
  const records = await wallet.credentials();
  const items = [];
  for (const record of records) {
    try {
      items.push(await card(wallet, record));
    } catch (error) {
      // A credential the core cannot read any more stays stored but is not drawn half.
      console.warn('wallet: a held credential could not be shown', error?.message ?? error);
    }
  }
  list.replaceChildren(...items);
  none.hidden = items.length > 0;
}

/** Asks each credential's status list (online only) and records what it says. */
async function refreshStatus(wallet) {
  if (!navigator.onLine) return;
  const lists = new Map();
  let changed = false;
  for (const record of await wallet.credentials()) {
    const reference = issuerPayload(record.sdJwt).status?.status_list;
    if (!reference || typeof reference.uri !== 'string' || !Number.isInteger(reference.idx)) continue;
    // The page may only reach its own origin (connect-src 'self'); PASS serves its lists there.
    if (new URL(reference.uri).origin !== location.origin) continue;
    try {
      if (!lists.has(reference.uri)) {
        lists.set(
          reference.uri,
          fetch(reference.uri, { credentials: 'omit', cache: 'no-store' }).then(async (response) => {
            if (!response.ok) throw new Error(`status list HTTP ${response.status}`);
            const decoded = await decodeStatusList((await response.text()).trim());
            if (decoded.sub !== reference.uri) throw new Error('status list for another address');
            return decoded;
          }),
        );
      }
      const value = statusAt(await lists.get(reference.uri), reference.idx);
      await wallet.noteStatus(record.id, { state: value === 0 ? 'valid' : 'revoked', checkedAt: new Date().toISOString() });
      changed = true;
    } catch (error) {
      console.warn('wallet: status not checked', error?.message ?? error);
    }
  }
  if (changed) await render(wallet);
}

function setReceiving(enabled) {
  for (const button of buttons) button.disabled = !enabled;
}

async function receive(wallet, button) {
  setReceiving(false);
  say(words.words.receiving);
  try {
    const configurationId = button.dataset.receive;
    const response = await fetch(root.dataset.offerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': root.dataset.csrf, accept: 'application/json' },
      body: JSON.stringify({ credential_configuration_id: configurationId, ...(button.dataset.person ? { person_id: button.dataset.person } : {}) }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok || !body.credential_offer) {
      say(typeof body.message === 'string' ? body.message : words.words.failed, 'error');
      return;
    }
    if (body.credential_offer.credential_issuer !== root.dataset.issuer) throw new Error('the offer names another issuer');
    const received = await receiveCredential(body.credential_offer, await wallet.deviceKey(), { clientId: root.dataset.clientId });
    // Read with the SD-JWT core before keeping it: a credential the page could not show is not kept.
    await describeCredential(received.credential);
    const payload = issuerPayload(received.credential);
    await wallet.keep({
      id: crypto.randomUUID(),
      configurationId,
      vct: payload.vct,
      sdJwt: received.credential,
      personId: button.dataset.person ?? null,
      who: button.dataset.who,
      receivedAt: new Date().toISOString(),
      status: null,
    });
    await render(wallet);
    say(fill(words.words.received, { type: words.types[payload.vct] ?? payload.vct }));
    await refreshStatus(wallet);
  } catch (error) {
    console.warn('wallet:', error?.message ?? error);
    say(words.words.failed, 'error');
  } finally {
    setReceiving(navigator.onLine);
  }
}

async function start() {
  if (!walletSupported()) {
    document.getElementById('wallet-unsupported').hidden = false;
    return;
  }
  const wallet = await openWallet(root.dataset.holder);
  await render(wallet);
  for (const button of buttons) button.addEventListener('click', () => receive(wallet, button));
  const connection = () => {
    setReceiving(navigator.onLine);
    if (!navigator.onLine) say(words.words.offline);
    else if (message.textContent === words.words.offline) say('');
  };
  window.addEventListener('online', () => {
    connection();
    refreshStatus(wallet);
  });
  window.addEventListener('offline', connection);
  connection();
  root.dataset.ready = 'true';
  await refreshStatus(wallet);
}

start().catch((error) => {
  console.warn('wallet:', error?.message ?? error);
  say(words.words.failed, 'error');
});
