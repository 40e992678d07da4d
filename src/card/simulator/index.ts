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
