// Registering with the My Number Card at the kiosk (issue 16): a member their family pre-registered
// in the PASS app finishes here. After the PIN pad (the card screen's, kiosk.js), one card session
// reads the user-authentication proof and the text AP over PASS's challenge and the 券面AP's record
// with the photo (card-reader.js). PASS then says whose household the member would join, and the
// member confirms it — someone who knew their name and birthdate could have pre-registered them.
// Only then the camera takes one frame, and PASS compares it with the card photo and enrolls. The
// PIN goes only to the card; a wrong one is never retried by itself.
import * as api from './api.js';
import * as reader from './card-reader.js';
import { grabJpeg, startCamera } from './camera.js';
import { $, other, show, ui } from './views.js';

/** Time for the resident to look at the camera before the frame is taken. */
const COUNTDOWN_S = 3;
/** A question left unanswered is a no: the representative's name does not stay on a public screen. */
const CONFIRM_TIMEOUT_MS = 60_000;

const b64 = (bytes) => {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
};
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** The page's words for a key in both languages, whichever the page shows first. */
const both = (key) => (document.body.dataset.lang === 'en' ? { ja: other(key), en: ui(key) } : { ja: ui(key), en: other(key) });
/** A text with its %s filled in order, in both languages. */
const filled = (words, ...values) => Object.fromEntries(Object.entries(words).map(([lang, text]) => [lang, values.reduce((t, v) => t.replace('%s', v[lang] ?? v), text)]));

/** The confirmation screen, made once: the kiosk page's other screens are sections of its main. */
function confirmScreen() {
  let section = $('enroll-confirm');
  if (section) return section;
  section = document.createElement('section');
  section.id = 'enroll-confirm';
  section.hidden = true;
  section.setAttribute('aria-labelledby', 'enroll-confirm-title');
  const title = Object.assign(document.createElement('h1'), { id: 'enroll-confirm-title', textContent: ui('method.enroll') });
  const question = Object.assign(document.createElement('p'), { id: 'enroll-confirm-main', className: 'result-main' });
  question.dataset.testid = 'enroll-confirm-question';
  const otherQuestion = Object.assign(document.createElement('p'), { id: 'enroll-confirm-other', className: 'result-sub' });
  otherQuestion.lang = document.body.dataset.lang === 'en' ? 'ja' : 'en';
  const actions = Object.assign(document.createElement('div'), { className: 'result-actions' });
  const no = Object.assign(document.createElement('button'), { type: 'button', id: 'enroll-confirm-no', className: 'big', textContent: ui('enroll.confirm.no') });
  const yes = Object.assign(document.createElement('button'), { type: 'button', id: 'enroll-confirm-yes', className: 'big primary', textContent: ui('enroll.confirm.yes') });
  actions.append(no, yes);
  section.append(title, question, otherQuestion, actions);
  $('main').append(section);
  return section;
}

/** Asks the member whether they join this household; resolves true only on 「はい」. */
function confirmHousehold(preview) {
  confirmScreen();
  const relation = both(`relation.${preview.relation}`);
  const question = filled(both('enroll.confirm'), preview.representative.name, relation);
  const lang = document.body.dataset.lang === 'en' ? 'en' : 'ja';
  $('enroll-confirm-main').textContent = question[lang];
  $('enroll-confirm-other').textContent = question[lang === 'ja' ? 'en' : 'ja'];
  show('enroll-confirm');
  return new Promise((resolve) => {
    const answer = (yes) => {
      clearTimeout(timer);
      $('enroll-confirm-yes').onclick = null;
      $('enroll-confirm-no').onclick = null;
      resolve(yes);
    };
    const timer = setTimeout(() => answer(false), CONFIRM_TIMEOUT_MS);
    $('enroll-confirm-yes').onclick = () => answer(true);
    $('enroll-confirm-no').onclick = () => answer(false);
    $('enroll-confirm-no').focus();
  });
}

async function lookAtCamera() {
  show('enroll-face');
  $('enroll-face-other').textContent = other('enroll.face');
  const video = $('enroll-camera');
  await startCamera(video);
  for (let n = COUNTDOWN_S; n > 0; n -= 1) {
    $('enroll-countdown').textContent = String(n);
    await sleep(1000);
  }
  $('enroll-countdown').textContent = '';
  return new Uint8Array(await (await grabJpeg(video)).arrayBuffer());
}

/**
 * The whole attempt once the PIN is typed. `done` shows the result screen (kiosk.js); `cardFailed`
 * takes what the card or its bridge said (a wrong PIN with the tries left, a card taken away…).
 */
export async function enrollWithPin(pin, { done, cardFailed }) {
  show('working');
  const challenge = await api.call('POST', '/api/kiosk/enrollments/challenges').catch(() => undefined);
  if (challenge?.status !== 201) {
    await reader.release();
    return done({ result: 'rejected', reason: 'card_unavailable', ...(challenge?.body ?? {}) });
  }
  let read;
  try {
    read = await reader.enrollmentRead(pin, unb64(challenge.body.challenge));
  } catch (error) {
    await reader.release();
    return cardFailed(error);
  }
  // The card is reset before the question and the camera: its verified PIN is gone while the resident looks up.
  await reader.release();
  const { authentication: a, textAp: t, surface: s } = read;
  const cardRead = {
    challengeId: challenge.body.challengeId,
    authentication: { certificate: b64(a.certificate), signature: b64(a.signature) },
    textAp: { ef0002: b64(t.ef0002), ef0003: b64(t.ef0003), ef0004: b64(t.ef0004), ef0007: b64(t.ef0007), signature: b64(t.challengeSignature) },
  };
  const preview = await api.call('POST', '/api/kiosk/enrollments/preview', { json: { ...cardRead, surface: { birthdate: s.birthdate, sex: s.sex } } }).catch(() => undefined);
  if (preview?.status !== 200) {
    s.photo.fill(0);
    const transient = !preview || preview.status >= 500;
    return done({ result: 'rejected', reason: preview?.body?.reason ?? 'card_unavailable', ...(preview?.body?.message ? { message: preview.body.message } : {}), ...(transient ? { again: 'enroll' } : {}) });
  }
  if (!(await confirmHousehold(preview.body))) {
    // Nothing was sent to be stored; the challenge and the confirmation lapse unused.
    s.photo.fill(0);
    return done({ result: 'rejected', message: both('enroll.declined') });
  }
  let live;
  try {
    live = await lookAtCamera();
  } catch {
    s.photo.fill(0);
    return done({ result: 'rejected', message: both('camera.none'), again: 'enroll' });
  }
  show('working');
  const answer = await api
    .call('POST', '/api/kiosk/enrollments', {
      json: { ...cardRead, confirmation: preview.body.confirmation, surface: { birthdate: s.birthdate, sex: s.sex, photo: b64(s.photo) }, live: b64(live) },
    })
    .catch(() => undefined);
  // The photo read from the card is dropped with this attempt.
  s.photo.fill(0);
  if (answer?.status === 201) {
    return done({ result: 'accepted', person: answer.body.person, message: filled(both('enroll.done'), answer.body.household.representative) });
  }
  done({ result: 'rejected', reason: answer?.body?.reason ?? 'card_unavailable', ...(answer?.body?.message ? { message: answer.body.message } : {}), again: 'enroll' });
}
