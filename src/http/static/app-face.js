// PASS app, face screen: camera capture (getUserMedia) or a file, preview, then send the photo and
// show the reason and a hint when it is refused. A static file, so the strict CSP holds; without
// it the form still posts the chosen file (multipart) and the server answers with a page.
(function () {
  'use strict';
  var form = document.getElementById('face-form');
  if (!form || !window.fetch) return;
  var live = document.getElementById('face-live');
  var fileInput = document.getElementById('photo');
  var preview = document.getElementById('preview');
  var img = document.getElementById('preview-img');
  var camera = document.getElementById('camera');
  var startButton = document.getElementById('camera-start');
  var video = document.getElementById('camera-view');
  var captureButton = document.getElementById('camera-capture');
  var submit = document.getElementById('face-submit');
  var data = form.dataset;
  var photo = null;
  var objectUrl = null;
  var stream = null;
  var TYPES = ['image/jpeg', 'image/png', 'image/webp'];

  function say(text, hint, isError) {
    live.textContent = '';
    live.classList.toggle('error', Boolean(isError));
    var p = document.createElement('p');
    p.className = 'live-message';
    p.textContent = text;
    live.appendChild(p);
    if (hint) {
      var h = document.createElement('p');
      h.className = 'live-hint';
      h.textContent = data.hintLabel + hint;
      live.appendChild(h);
    }
  }

  function show(blob) {
    photo = blob;
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = URL.createObjectURL(blob);
    img.src = objectUrl;
    preview.hidden = false;
    say(data.msgPreview);
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) camera.hidden = false;

  startButton.addEventListener('click', function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 1280 }, height: { ideal: 960 } }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        captureButton.hidden = false;
        return video.play();
      })
      .then(function () {
        say(data.msgReady);
        captureButton.focus();
      })
      .catch(function () {
        stopCamera();
        say(data.msgDenied, null, true);
        fileInput.focus();
      });
  });

  captureButton.addEventListener('click', function () {
    if (!video.videoWidth) return;
    var canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d').drawImage(video, 0, 0);
    canvas.toBlob(function (blob) {
      if (!blob) return;
      fileInput.value = '';
      show(blob);
      submit.focus();
    }, 'image/jpeg', 0.92);
  });

  fileInput.addEventListener('change', function () {
    var file = fileInput.files && fileInput.files[0];
    if (file) show(file);
  });

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (!photo) {
      say(data.msgNofile, null, true);
      fileInput.focus();
      return;
    }
    if (photo.size > Number(data.maxBytes)) {
      say(data.msgTooLarge, data.hintTooLarge, true);
      return;
    }
    submit.disabled = true;
    say(data.msgSending);
    fetch(form.action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': TYPES.indexOf(photo.type) >= 0 ? photo.type : 'application/octet-stream', 'X-CSRF-Token': data.csrf, Accept: 'application/json' },
      body: photo,
    })
      .then(function (response) {
        return response.json().then(function (body) { return { response: response, body: body }; });
      })
      .then(function (answer) {
        if (answer.response.status === 401) { window.location.assign('/app/login'); return; }
        if (answer.body.ok) {
          stopCamera();
          say(answer.body.message);
          window.location.assign(answer.body.next);
          return;
        }
        say(answer.body.message, answer.body.hint, true);
        submit.disabled = false;
      })
      .catch(function () {
        say(data.msgError, null, true);
        submit.disabled = false;
      });
  });

  window.addEventListener('pagehide', stopCamera);
})();
