import type { HomeSection } from '../sections.ts';

export const HISTORY_BASE = '/app/history';

/** The home tile of the history: always there (an empty history says so). */
export function historySection(): HomeSection {
  return { id: 'history', titleKey: 'section.history', textKey: 'section.history.text', href: HISTORY_BASE, status: { key: 'history.tile.status', active: false } };
}
