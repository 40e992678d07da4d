/**
 * Bounds checked before any parsing beyond a split and before any crypto, so a hostile
 * presentation costs a verifier (a kiosk tablet, offline) no more than a few milliseconds. PASS's
 * largest credential (the verified resident with every disclosure and a key binding) is under
 * 4 KiB; the limits leave room for growth, not for abuse.
 */
export const SD_JWT_LIMITS = {
  /** Characters of the whole presentation (all ASCII, so bytes too). */
  maxPresentationLength: 32 * 1024,
  maxDisclosures: 64,
  /** Nesting of arrays and objects in any one JSON part, and in the claims rebuilt from them. */
  maxDepth: 12,
  /** A status list token: PASS's lists stay far below (one bit per credential, compressed). */
  maxStatusListTokenLength: 2 * 1024 * 1024,
  /** Decompressed status list bytes: 32 million credentials at one bit each; a zip bomb stops here. */
  maxStatusListBytes: 4 * 1024 * 1024,
} as const;
