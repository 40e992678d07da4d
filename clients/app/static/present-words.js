// Words for the presentation pages (present-page.js, present-history.js): a fact in the resident's
// words, dates in Japanese time. The words themselves come from the server in the page's language
// (a <script type="application/json" id="present-words"> block). Texts only, never HTML.

export function readWords() {
  return JSON.parse(document.getElementById('present-words').textContent);
}

export function fill(template, values) {
  return Object.entries(values).reduce((text, [key, value]) => text.replaceAll(`{${key}}`, String(value)), template);
}

export function dateTime(words, value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(words.lang === 'en' ? 'en-GB' : 'ja-JP', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Tokyo' }).format(date);
}

function calendarDate(words, value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value));
  if (!match) return String(value);
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(words.lang === 'en' ? 'en-GB' : 'ja-JP', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(date);
}

const ORDER = ['name', 'birthdate', 'gender', 'address', 'resident_of'];

/** Facts in the order the wallet page lists them: the basic four, residence, ages by threshold, then the rest. */
export function byFactOrder(a, b) {
  const rank = (name) => (ORDER.includes(name) ? ORDER.indexOf(name) : /^age_over_\d+$/.test(name) ? 100 + Number(name.slice(9)) : name === 'verification' ? 1000 : 500);
  return rank(a) - rank(b);
}

/** A fact's label alone, e.g. 「65歳以上」. */
export function factLabel(words, name) {
  const age = /^age_over_(\d{1,3})$/.exec(name);
  if (age) return fill(words.wallet.age_over, { n: age[1] });
  return words.facts[name] ?? name;
}

/** A fact's value in words, e.g. 「はい」. */
export function factValue(words, name, value) {
  if (value === true) return words.wallet.yes;
  if (value === false) return words.wallet.no;
  switch (name) {
    case 'birthdate':
      return calendarDate(words, value);
    case 'gender':
      return words.genders[value] ?? String(value);
    case 'address':
      return typeof value?.formatted === 'string' ? value.formatted : JSON.stringify(value);
    case 'verification':
      return value?.time ? dateTime(words, value.time) : String(value?.trust_framework ?? '');
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}
