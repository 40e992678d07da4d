// Screen helpers of the kiosk: one section at a time, texts from the page (Japanese first).
const texts = JSON.parse(document.getElementById('kiosk-texts').textContent);
const lang = document.body.dataset.lang === 'en' ? 'en' : 'ja';

export const $ = (id) => document.getElementById(id);
export const ui = (key) => texts.ui[key]?.[lang] ?? key;
export const reason = (key) => texts.reasons[key];
/** A page text in both languages, for a result screen that shows both. */
export const uiWords = (key) => texts.ui[key] ?? { ja: key, en: key };
/** The same words in the page's other language: the tablet's prompts show both. */
export const other = (key) => texts.ui[key]?.[lang === 'ja' ? 'en' : 'ja'] ?? '';

export function show(id) {
  for (const section of document.querySelectorAll('main > section')) section.hidden = section.id !== id;
}

function row(list, label, value) {
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.textContent = value;
  list.append(dt, dd);
}

/** The person greeted by the name PASS sent: already what the facility's display policy allows in public. */
function greeting(view) {
  if (view.person?.name) return ui('person.greeting').replace('%s', view.person.name);
  return view.anonymous ? ui('anonymous') : '';
}

/** A check-in answer (or an API error) on the result screen; only what the facility may show in public. */
export function showResult(view) {
  const accepted = view.result === 'accepted';
  const message = view.message ?? reason(view.reason) ?? reason('invalid_request');
  $('result').className = accepted ? 'accepted' : 'rejected';
  $('result-title').textContent = accepted ? greeting(view) || message.ja : ui('retry');
  $('result-ja').textContent = message.ja;
  $('result-en').textContent = message.en;
  const list = $('result-person');
  list.replaceChildren();
  if (view.person?.age !== undefined) row(list, ui('age'), String(view.person.age));
  if (view.person?.resident !== undefined) row(list, '', ui(view.person.resident ? 'resident.yes' : 'resident.no'));
  if (view.queued) row(list, '', ui('queued'));
  show('result');
  $('result-ok').focus();
}

export function setNet(online, pending) {
  const net = $('net');
  net.classList.toggle('offline', !online);
  net.textContent = `${online ? '' : ui('offline')}${pending ? ` ${ui('pending')}: ${pending}` : ''}`;
}
