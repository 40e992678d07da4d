import type { HomeSection } from '../sections.ts';

/** The home tile of data rights: always there, since anyone may download their data or leave. */
export function privacySection(): HomeSection {
  return { id: 'privacy', titleKey: 'section.privacy', textKey: 'section.privacy.text', href: '/app/privacy/', status: { key: 'privacy.tile.status', active: false } };
}
