import type { RpSession } from '../shared/relying-party.ts';
import type { PassApi } from './pass-api.ts';
import { proofingSection } from './proofing/section.ts';
import { faceSection } from './face/section.ts';
import { facilitiesSection, familySection } from './family/section.ts';
import { checkinSection } from './qr-routes.ts';
import { privacySection } from './privacy/section.ts';
import { securitySection, type SecurityOverview } from './security/section.ts';
import { historySection } from './history/section.ts';
import { walletSection } from './wallet/section.ts';
import type { Verification } from './proofing/section.ts';

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

/** What a tile may use to find its status: the PASS API, with the session's access token. */
export interface SectionEnv {
  api: PassApi;
  /** The account's sign-in factors, fetched once per home page (the passkey offer reads them too). */
  security?: () => Promise<SecurityOverview | undefined>;
  /** The resident's identity proofing, fetched once per home page (the greeting names a proofed resident). */
  verification?: () => Promise<Verification | undefined>;
}

/** A tile, or undefined for one that does not apply to this resident yet (the check-in QR code before any registration). */
export type SectionProvider = (session: RpSession, env: SectionEnv) => Promise<HomeSection | undefined> | HomeSection | undefined;

export const HOME_SECTIONS: SectionProvider[] = [
  proofingSection,
  faceSection,
  familySection,
  facilitiesSection,
  checkinSection,
  historySection,
  walletSection,
  securitySection,
  privacySection,
];
