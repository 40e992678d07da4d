// PASS's sign-in page: 「パスキーでログイン」. Asks PASS for a challenge, lets the browser's passkey
// sign it (webauthn.js: @simplewebauthn/browser), and follows where PASS sends the resident next.
(function () {
  'use strict';
  var section = document.getElementById('passkey');
  if (!section) return;
  var button = section.querySelector('button');
  var status = section.querySelector('[role="status"]');
  var supported = window.SimpleWebAuthnBrowser && window.SimpleWebAuthnBrowser.browserSupportsWebAuthn();
  if (!supported) return;
  section.hidden = false;
  var uid = section.getAttribute('data-uid');
  var csrf = section.getAttribute('data-csrf');
  function say(text) {
    status.textContent = text;
  }
  button.addEventListener('click', function () {
    button.disabled = true;
    say(section.getAttribute('data-waiting'));
    fetch('/interaction/' + uid + '/passkey/options', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'csrf=' + encodeURIComponent(csrf),
      credentials: 'same-origin',
    })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw new Error(body.message || section.getAttribute('data-failed'));
          return body;
        });
      })
      .then(function (options) {
        return window.SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options });
      })
      .then(function (response) {
        return fetch('/interaction/' + uid + '/passkey', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ csrf: csrf, response: response }),
          credentials: 'same-origin',
        });
      })
      .then(function (r) {
        return r.json();
      })
      .then(function (answer) {
        if (answer.ok && answer.next) {
          window.location.assign(answer.next);
          return;
        }
        throw new Error(answer.message || section.getAttribute('data-failed'));
      })
      .catch(function (error) {
        var name = error && error.name;
        say(name === 'NotAllowedError' || name === 'AbortError' ? section.getAttribute('data-cancelled') : (error && error.message) || section.getAttribute('data-failed'));
        button.disabled = false;
      });
  });
})();
