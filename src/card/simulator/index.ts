/** The APDU-level My Number Card simulator: development and tests only, never in production paths. */
export { SimulatedCard } from './simulated-card.ts';
export type { ExchangeRecord, SimulatedCardBehaviour } from './simulated-card.ts';
export type { AccessRule, SimulatedApplication, SimulatedFile, SimulatedKey, SimulatedSecret } from './card-file-system.ts';
export {
  AUTHENTICATION_PIN_TRIES,
  DEFAULT_PIN,
  DEFAULT_SIGNATURE_PASSWORD,
  eraBirthdate,
  issueSimulatedCard,
  MAX_PHOTO_BYTES,
  myNumberCheckDigit,
  SIGNATURE_PASSWORD_TRIES,
  TEXT_AP_PIN_TRIES,
  VERIFICATION_CODE_TRIES,
} from './issue-simulated-card.ts';
export type { IssuedSimulatedCard, SimulatedCardIssuers, SimulatedCardSpec } from './issue-simulated-card.ts';
export { buildTextApFiles } from './text-ap-files.ts';
export type { TextApFiles, TextApIssuerKey } from './text-ap-files.ts';
export { buildSurfaceRecord } from './surface-files.ts';
export { simulatedJpkiCard } from './jpki-card.ts';
export type { HeldJpkiCard, HeldJpkiKey } from './jpki-card.ts';
export { simulatedTextApCard } from './text-ap-card.ts';
export type { HeldTextAp } from './text-ap-card.ts';
export type { PaddedSigner } from './card-file-system.ts';
export { cardDelayMs, INSTANT_CARD_TIMING, REAL_CARD_TIMING, TimedCard } from './card-timing.ts';
export type { CardTiming } from './card-timing.ts';
export { SIMULATOR_READER_NAME, SimulatorReader } from './simulator-reader.ts';
