// PASS app, sign-in and security screen: adds a passkey with @simplewebauthn/browser (loaded before
// this file as the global SimpleWebAuthnBrowser). The app's server asks PASS for the creation
// options and hands the authenticator's answer back to PASS; the browser never holds a token. The
// CSRF token and the texts come from the data-* attributes of #passkey-add. A static file, so the
// strict CSP holds; without WebAuthn (or without this script) the button stays hidden and the note
// "this browser cannot use passkeys" stays shown.
(function () {
  'use strict';
  var box = document.getElementById('passkey-add');
  var note = document.getElementById('passkey-unsupported');
  var lib = window.SimpleWebAuthnBrowser;
  if (!box || !window.fetch || !lib || !lib.browserSupportsWebAuthn()) return;
  var data = box.dataset;
  var button = document.getElementById('passkey-add-button');
  var nameInput = document.getElementById('passkey-name');
  var live = document.getElementById('passkey-live');
  box.hidden = false;
  if (note) note.hidden = true;

  function say(text, isError) {
    live.textContent = '';
    live.classList.toggle('error', Boolean(isError));
    var p = document.createElement('p');
    p.className = 'live-message';
    p.textContent = text;
    live.appendChild(p);
  }

  /** A text already in the page's language, to show as it is. */
  function Shown(text) {
    this.shown = text;
  }

  function post(url, body) {
    var headers = { Accept: 'application/json', 'X-CSRF-Token': data.csrf };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        if (response.status === 401) {
          window.location.assign('/app/login');
          throw new Shown(data.msgExpired);
        }
        return response.json().catch(function () { return {}; });
      })
      .then(function (answer) {
        if (!answer || answer.ok !== true) throw new Shown((answer && answer.message) || data.msgFailed);
        return answer;
      });
  }

  /** What the browser's refusal means to the resident (WebAuthnError keeps the DOMException's name). */
  function textOf(error) {
    if (error instanceof Shown) return error.shown;
    var name = error && error.name;
    var code = error && error.code;
    if (name === 'NotAllowedError' || name === 'AbortError' || code === 'ERROR_CEREMONY_ABORTED') return data.msgCancelled;
    if (name === 'InvalidStateError' || code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return data.msgExists;
    if (name === 'ConstraintError' || name === 'NotSupportedError' || code === 'ERROR_AUTHENTICATOR_MISSING_DISCOVERABLE_CREDENTIAL_SUPPORT' ||
        code === 'ERROR_AUTHENTICATOR_MISSING_USER_VERIFICATION_SUPPORT' || code === 'ERROR_AUTHENTICATOR_NO_SUPPORTED_PUBKEYCREDPARAMS_ALG') return data.msgAuthenticator;
    if (name === 'SecurityError' || code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID') return data.msgSecurity;
    return data.msgFailed;
  }

  button.addEventListener('click', function () {
    button.disabled = true;
    say(data.msgStarting);
    post(data.optionsUrl)
      .then(function (answer) {
        say(data.msgWaiting);
        return lib.startRegistration({ optionsJSON: answer.options });
      })
      .then(function (response) {
        say(data.msgSaving);
        var name = nameInput ? nameInput.value.trim() : '';
        return post(data.registerUrl, name ? { response: response, name: name } : { response: response });
      })
      .then(function (answer) {
        say(answer.message);
        var next = String(answer.next || '');
        window.location.assign(next.charAt(0) === '/' && next.charAt(1) !== '/' ? next : window.location.pathname);
      })
      .catch(function (error) {
        say(textOf(error), true);
        button.disabled = false;
        button.focus();
      });
  });
})();
