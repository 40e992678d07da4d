// PASS Manager, live alerts: refused check-ins arrive over Server-Sent Events and are added to
// the list at once; acknowledgements (from this page or any other) mark them. The page works
// without this script (reload and plain form posts); no inline script, per the CSP.
(() => {
  const root = document.getElementById('alerts-root');
  const list = document.getElementById('alerts');
  const empty = document.getElementById('alerts-empty');
  const live = document.getElementById('live-status');
  if (!root || !list || !live) return;
  const texts = JSON.parse(root.dataset.texts || '{}');
  const reasons = JSON.parse(root.dataset.reasons || '{}');
  const many = root.dataset.many === '1';
  const facility = root.dataset.facility || '';
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') || '';

  function setLive(state) {
    live.dataset.state = state;
    live.textContent = texts.live[state];
  }

  function japanTime(iso) {
    const d = new Date(new Date(iso).getTime() + 9 * 3600000);
    return d.toISOString().slice(0, 19).replace('T', ' ');
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function ackText(ack) {
    return `${texts.acked} (${ack.by || ''} ${japanTime(ack.at)})`;
  }

  function markAcked(item, ack) {
    if (item.dataset.acked === 'true') return;
    item.dataset.acked = 'true';
    const form = item.querySelector('form');
    const state = el('span', { class: 'm-alert-ack', 'data-testid': 'ack-state' }, ackText(ack));
    if (form) form.replaceWith(state);
    else item.appendChild(state);
  }

  function ackForm(id) {
    const form = el('form', { method: 'post', action: `/manager/alerts/${id}/ack`, class: 'm-ack-form' });
    form.appendChild(el('input', { type: 'hidden', name: 'csrf', value: csrf }));
    if (facility) form.appendChild(el('input', { type: 'hidden', name: 'facility', value: facility }));
    form.appendChild(el('button', { type: 'submit', class: 'secondary' }, texts.ack));
    return form;
  }

  // Staff often work in another tab: a new alert puts 「(n) 」 before the tab's title until they
  // come back to this page (the tab shown again, the window focused, a click or a key here).
  const baseTitle = document.title;
  let unseen = 0;
  function showUnseen() {
    document.title = unseen ? `(${unseen}) ${baseTitle}` : baseTitle;
  }
  function seen() {
    if (!unseen) return;
    unseen = 0;
    showUnseen();
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') seen();
  });
  window.addEventListener('focus', seen);
  for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, seen, true);

  function addAlert(alert) {
    if (list.querySelector(`[data-alert="${CSS.escape(alert.id)}"]`)) return;
    unseen += 1;
    showUnseen();
    const item = el('li', { class: 'm-alert m-new', 'data-alert': alert.id, 'data-acked': 'false' });
    if (alert.thumbnail) item.appendChild(el('img', { class: 'm-alert-thumb', src: `/manager/alerts/${alert.id}/thumbnail`, alt: texts.thumbnail, width: '64', height: '64' }));
    else item.appendChild(el('span', { class: 'm-alert-thumb-none', 'aria-hidden': 'true' }));
    const body = el('div');
    body.appendChild(el('div', { class: 'm-alert-reason' }, reasons[alert.reason] || alert.reason));
    const meta = el('div', { class: 'm-alert-meta' });
    meta.appendChild(el('time', { datetime: alert.at }, japanTime(alert.at)));
    const parts = [` · ${texts.kiosk}: ${alert.kioskName || texts.unknownKiosk}`, ` · ${texts.methods[alert.method] || alert.method}`];
    if (many) parts.push(` · ${texts.facilities[alert.facilityId] || alert.facilityId}`);
    meta.appendChild(document.createTextNode(parts.join('')));
    body.appendChild(meta);
    item.appendChild(body);
    item.appendChild(ackForm(alert.id));
    list.prepend(item);
    if (empty) empty.hidden = true;
  }

  // Acknowledge without leaving the page; the stream tells every other open page.
  list.addEventListener('submit', async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains('m-ack-form')) return;
    event.preventDefault();
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf },
        body: new URLSearchParams(new FormData(form)).toString(),
        credentials: 'same-origin',
      });
      if (!response.ok) throw new Error(String(response.status));
      const body = await response.json();
      const item = form.closest('[data-alert]');
      if (item && body.alert && body.alert.ack) markAcked(item, body.alert.ack);
    } catch {
      form.submit();
    }
  });

  let failures = 0;
  function connect() {
    const url = new URL(root.dataset.stream, location.href);
    if (root.dataset.since) url.searchParams.set('since', root.dataset.since);
    const source = new EventSource(url.toString());
    source.addEventListener('open', () => {
      failures = 0;
      setLive('open');
    });
    source.addEventListener('failure', (event) => {
      const alert = JSON.parse(event.data);
      root.dataset.since = alert.at;
      addAlert(alert);
    });
    source.addEventListener('ack', (event) => {
      const ack = JSON.parse(event.data);
      const item = list.querySelector(`[data-alert="${CSS.escape(ack.id)}"]`);
      if (item) markAcked(item, ack);
    });
    source.addEventListener('error', () => {
      setLive('closed');
      // The browser retries by itself unless the server refused (signed out): then reload, which signs in again.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        failures += 1;
        if (failures > 3) location.reload();
        else setTimeout(connect, 2000);
      }
    });
  }
  connect();
})();
