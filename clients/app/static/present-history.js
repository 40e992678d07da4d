// The wallet's presentation history (/app/wallet/history): what this device shared, with whom,
// when and how it ended, read from IndexedDB (it never leaves the phone). Texts only, never HTML.
import { openWallet, walletSupported } from './wallet-store.js';
import { dateTime, factLabel, factValue, readWords } from './present-words.js';

const root = document.getElementById('history');
const words = readWords();

function element(tag, text, attributes = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function item(entry) {
  const li = element('li', undefined, { class: 'tile', 'data-testid': 'presentation', 'data-result': entry.result });
  li.append(element('h2', entry.verifier?.name ?? '—'));
  li.append(element('p', `${words.labels.origin}: ${entry.verifier?.origin ?? '—'}`, { 'data-testid': 'presentation-origin' }));
  li.append(element('p', `${words.words.when}: ${dateTime(words, entry.at)}`));
  const result = element('span', words.words[`result.${entry.result}`] ?? entry.result, { class: `status${entry.result === 'sent' ? ' active' : ''}`, 'data-testid': 'presentation-result' });
  li.append(result);
  const facts = element('dl', undefined, { class: 'facts', 'data-testid': 'presentation-facts' });
  for (const fact of entry.facts ?? []) facts.append(element('dt', factLabel(words, fact.name), { 'data-claim': fact.name }), element('dd', factValue(words, fact.name, fact.value), { 'data-claim': fact.name }));
  li.append(element('h3', words.words.facts));
  li.append(facts.children.length ? facts : element('p', words.words.nothing));
  return li;
}

async function start() {
  if (!walletSupported()) return;
  const wallet = await openWallet(root.dataset.holder);
  const entries = await wallet.presentations();
  document.getElementById('history-list').replaceChildren(...entries.map(item));
  document.getElementById('history-none').hidden = entries.length > 0;
  root.dataset.ready = 'true';
}

start().catch((error) => console.warn('wallet: the history could not be shown', error?.message ?? error));
