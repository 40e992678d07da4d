import type { HomeSection } from '../sections.ts';

export const WALLET_BASE = '/app/wallet';

/**
 * The home tile of the wallet: always there. What the wallet holds lives in the phone's browser
 * (IndexedDB), which the server cannot see, so the tile has no count.
 */
export function walletSection(): HomeSection {
  return { id: 'wallet', titleKey: 'section.wallet', textKey: 'section.wallet.text', href: WALLET_BASE, status: { key: 'wallet.tile.status', active: false } };
}
