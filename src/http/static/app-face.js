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

  // The active liveness check: PASS draws the head turns; the camera films them while the page
  // prompts, one frame at set moments of each prompt; PASS judges the burst and enrolls its first
  // frame. Nothing is decided here: the page only shows the prompts and carries the frames.
  var liveBox = document.getElementById('live');
  var liveStart = document.getElementById('live-start');
  var prompt = document.getElementById('live-prompt');
  /** Milliseconds: how long each prompt stays, and when in it a frame is taken. */
  var FRONT = { ms: 2000, at: [1000] };
  var TURN = { ms: 2000, at: [1000, 1500] };
  var BACK = { ms: 1500, at: [900] };

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function frame() {
    var canvas = document.createElement('canvas');
    var scale = Math.min(1, 640 / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL('image/jpeg', 0.85).split(',')[1];
  }

  function postJson(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': data.csrf, Accept: 'application/json' },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (response.status === 401) { window.location.assign('/app/login'); throw new Error('signed out'); }
      return response.json();
    });
  }

  function step(text, timing, frames) {
    prompt.textContent = text;
    var started = Date.now();
    return timing.at.reduce(function (done, at) {
      return done.then(function () { return wait(Math.max(0, started + at - Date.now())); }).then(function () { frames.push(frame()); });
    }, Promise.resolve()).then(function () { return wait(Math.max(0, started + timing.ms - Date.now())); });
  }

  if (liveBox && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    liveBox.hidden = false;
    liveStart.addEventListener('click', function () {
      var ld = liveBox.dataset;
      var frames = [];
      var challenge;
      liveStart.disabled = true;
      submit.disabled = true;
      postJson(ld.challenge, {})
        .then(function (answer) {
          if (!answer.ok) throw answer;
          challenge = answer;
          // The camera opens only now, so the film starts with the first prompt.
          return navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
        })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          prompt.hidden = false;
          return video.play();
        })
        .then(function () {
          return challenge.steps.reduce(function (done, turn) {
            return done
              .then(function () { return step(ld[turn === 'left' ? 'msgLeft' : 'msgRight'], TURN, frames); })
              .then(function () { return step(ld.msgBack, BACK, frames); });
          }, step(ld.msgFront, FRONT, frames));
        })
        .then(function () {
          prompt.textContent = ld.msgChecking;
          stopCamera();
          return postJson(ld.enroll, { challengeId: challenge.challengeId, frames: frames });
        })
        .then(function (answer) {
          if (!answer.ok) throw answer;
          say(answer.message);
          window.location.assign(answer.next);
        })
        .catch(function (refusal) {
          stopCamera();
          prompt.hidden = true;
          if (refusal && refusal.message) say(refusal.message, refusal.hint, true);
          else say(data.msgError, null, true);
          liveStart.disabled = false;
          submit.disabled = false;
        });
    });
  }

  window.addEventListener('pagehide', stopCamera);
})();
