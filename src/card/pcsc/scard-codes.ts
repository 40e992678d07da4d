/**
 * PC/SC's result codes (pcsclite.h, the same values as Windows' WinSCard) that tell a card taken
 * off the reader apart from everything else. pcsclite puts the code at the end of its error
 * message, "SCardTransmit error: Card was removed.(0x80100069)"; that number is what is read.
 */
export const SCARD = {
  /** The card left the reader since the connection was made. */
  W_REMOVED_CARD: 0x80100069,
  /** No card in the reader. */
  E_NO_SMARTCARD: 0x8010000c,
  /** Another program reset the card: the session's state (selection, PIN) is gone. */
  W_RESET_CARD: 0x80100068,
  /** The card does not answer its reset (a card half in the field, or a dead one). */
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  /** The reader went away (unplugged). */
  E_READER_UNAVAILABLE: 0x80100017,
  E_UNKNOWN_READER: 0x80100009,
  /** A transmit failed on the way: with a contactless reader, mostly a card lifted mid-command. */
  E_NOT_TRANSACTED: 0x80100016,
  F_COMM_ERROR: 0x80100013,
  E_COMM_DATA_LOST: 0x8010002f,
  /** Someone else holds the card exclusively. */
  E_SHARING_VIOLATION: 0x8010000b,
  /** The card does not speak the protocol asked for (T=0 of a T=1-only card). */
  E_PROTO_MISMATCH: 0x8010000f,
} as const;

/** The PC/SC result code in a pcsclite error, if it carries one. */
export function scardCodeOf(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : undefined;
  const match = message?.match(/\(0x([0-9a-f]{8})\)\s*$/i);
  return match ? Number.parseInt(match[1]!, 16) : undefined;
}

const GONE = new Set<number>([SCARD.W_REMOVED_CARD, SCARD.E_NO_SMARTCARD, SCARD.W_UNPOWERED_CARD, SCARD.W_UNRESPONSIVE_CARD]);
const LINK_FAILED = new Set<number>([SCARD.E_NOT_TRANSACTED, SCARD.F_COMM_ERROR, SCARD.E_COMM_DATA_LOST]);
const READER_GONE = new Set<number>([SCARD.E_READER_UNAVAILABLE, SCARD.E_UNKNOWN_READER]);

/**
 * What a failed call means for the card session: `removed` (the card is certainly off the
 * reader), `link` (the exchange broke; whether the card left is for the reader's state to say),
 * `reader` (the reader is gone), `reset` (the card's state was lost), or `other`.
 */
export function classifyScardFailure(error: unknown): 'removed' | 'link' | 'reader' | 'reset' | 'other' {
  const code = scardCodeOf(error);
  if (code === undefined) return 'other';
  if (GONE.has(code)) return 'removed';
  if (LINK_FAILED.has(code)) return 'link';
  if (READER_GONE.has(code)) return 'reader';
  if (code === SCARD.W_RESET_CARD) return 'reset';
  return 'other';
}
