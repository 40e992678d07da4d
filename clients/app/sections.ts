import type { AppSessionData } from './session-store.ts';

/**
 * The tiles of the home screen. Later issues (identity proofing, face, family, facilities) fill
 * in `href` and `status` for their own tile from their own module; the home page only lists them.
 */
export interface HomeSection {
  id: string;
  titleKey: string;
  textKey: string;
  href?: string;
  /** A message key for the badge, and whether it reads as done/active. */
  status: { key: string; active: boolean };
}

export type SectionProvider = (session: AppSessionData) => Promise<HomeSection> | HomeSection;

export const HOME_SECTIONS: SectionProvider[] = [
  () => ({ id: 'proofing', titleKey: 'section.proofing', textKey: 'section.proofing.text', status: { key: 'status.soon', active: false } }),
  () => ({ id: 'face', titleKey: 'section.face', textKey: 'section.face.text', status: { key: 'status.soon', active: false } }),
  () => ({ id: 'family', titleKey: 'section.family', textKey: 'section.family.text', status: { key: 'status.soon', active: false } }),
  () => ({ id: 'facilities', titleKey: 'section.facilities', textKey: 'section.facilities.text', status: { key: 'status.soon', active: false } }),
];
