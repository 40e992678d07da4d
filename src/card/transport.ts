/**
 * Where APDUs go: a PC/SC reader (through the kiosk's card bridge), the development simulator, or
 * a test double. A transport sends one command APDU and resolves with the raw response (data and
 * SW1 SW2). When the card leaves the reader it rejects with `CardError('card_removed')`; any other
 * rejection is wrapped by the channel as `transport_error`.
 */
export interface CardTransport {
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
  /**
   * Several commands in order in one exchange with the reader, where the transport has one (the
   * card bridge: one HTTP request instead of one per APDU). None may depend on an earlier answer.
   */
  transmitBatch?(apdus: readonly Uint8Array[]): Promise<Uint8Array[]>;
}
