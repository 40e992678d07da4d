// Shelter dashboard, live: occupancy counts arrive over Server-Sent Events (counts only); the
// roster table of an open shelter is then reloaded from the server. Without this script the pages
// still show the state at load time.
const live = document.querySelector('[data-live]');
if (live && 'EventSource' in window) {
  const source = new EventSource(live.dataset.stream);
  const roster = document.querySelector('[data-roster]');
  let reloading = null;
  const setState = (state) => {
    live.dataset.state = state;
    live.textContent = state === 'open' ? live.dataset.textOpen : live.dataset.textClosed;
  };
  const reloadRoster = () => {
    if (!roster || reloading) return;
    reloading = fetch(roster.dataset.roster, { credentials: 'same-origin' })
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error(String(response.status)))))
      .then((html) => {
        roster.innerHTML = html;
      })
      .catch(() => {})
      .finally(() => {
        reloading = null;
      });
  };
  source.addEventListener('ready', () => setState('open'));
  source.addEventListener('error', () => setState('closed'));
  source.addEventListener('occupancy', (event) => {
    const update = JSON.parse(event.data);
    for (const card of document.querySelectorAll(`[data-shelter="${CSS.escape(update.facilityId)}"]`)) {
      const count = card.querySelector('[data-occupancy]');
      if (count) count.textContent = String(update.occupancy);
      const last = card.querySelector('[data-last]');
      // Japan time, written as the server writes it (2026-04-01 09:30:00).
      if (last) last.textContent = new Date(Date.parse(update.at) + 9 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    }
    for (const total of update.totals || []) {
      const cell = document.querySelector(`[data-city="${CSS.escape(total.municipalityCode)}"] [data-city-total]`);
      if (cell) cell.textContent = String(total.occupancy);
    }
    if (roster && document.querySelector(`[data-shelter="${CSS.escape(update.facilityId)}"]`)) reloadRoster();
  });
}
