/**
 * The My Number Card over APDUs (JPKI.md §1): a transport-agnostic card library with no Node-only
 * API, so the kiosk page and Node share it. The development simulator lives in ./simulator/ and
 * is never part of this entry point.
 */
export { ApduChannel } from './apdu-channel.ts';
export type { ApduChannelOptions } from './apdu-channel.ts';
export type { CardTransport } from './transport.ts';
export { encodeCommand, parseCommand } from './command-apdu.ts';
export type { CommandApdu, ParsedCommand } from './command-apdu.ts';
export { parseResponse, statusOf, SW } from './response-apdu.ts';
export type { ResponseApdu, Status } from './response-apdu.ts';
export { CardError, describeCardError, isCardError } from './errors.ts';
export { CARD_REASONS } from './reasons.ts';
export type { CardReason } from './reasons.ts';
export type { PinStatus } from './iso-commands.ts';
export { sha256DigestInfo } from './digest-info.ts';
export { JpkiAp, JPKI_AID, JPKI_EF } from './jpki-ap.ts';
export { readAuthenticationProof, readSignatureProof } from './jpki-proofs.ts';
export type { CardProof } from './jpki-proofs.ts';
export { TextAp, TEXT_AP_AID, TEXT_AP_EF, readTextApProof } from './text-ap.ts';
export type { TextApProof } from './text-ap.ts';
export { SurfaceAp, SURFACE_AP_AID, SURFACE_AP_EF } from './surface-ap.ts';
export { parseSurfaceRecord } from './surface-record.ts';
export type { PhotoFormat, SurfaceRecord } from './surface-record.ts';
export { readSurfaceWithCodeB, readSurfaceWithTextPin } from './card-photo.ts';
