/**
 * The ISO 7816-4 commands the My Number Card's applications answer (JPKI.md §1.1), each with its
 * status words turned into typed results: SELECT by AID and by EF id, VERIFY (and the empty VERIFY
 * that reports tries left without spending one), and the card's own COMPUTE DIGITAL SIGNATURE.
 */
import type { ApduChannel } from './apdu-channel.ts';
import { toHex, u16, wipe } from './bytes.ts';
import { CardError } from './errors.ts';
import type { CardReason } from './reasons.ts';
import { statusOf, type ResponseApdu } from './response-apdu.ts';

/** What a status word other than success means for a command that expected success. */
export function failureOf(response: ResponseApdu, notFound: CardReason = 'file_not_found'): CardError {
  const status = statusOf(response.sw);
  const details = { sw: response.sw };
  switch (status.kind) {
    case 'security_not_satisfied':
      return new CardError('pin_not_verified', undefined, details);
    case 'locked':
      return new CardError('pin_locked', undefined, details);
    case 'not_found':
      return new CardError(notFound, undefined, details);
    default:
      return new CardError('card_error', undefined, details);
  }
}

export function expectOk(response: ResponseApdu, notFound?: CardReason): Uint8Array {
  const kind = statusOf(response.sw).kind;
  if (kind === 'ok' || kind === 'end_of_file') return response.data;
  throw failureOf(response, notFound);
}

/** SELECT FILE by DF name: `00 A4 04 0C Lc <AID>` (P2 0C: no FCI, so a response with data is refused). */
export async function selectApplication(channel: ApduChannel, aid: Uint8Array, notFound: CardReason): Promise<void> {
  channel.noteSelected(undefined);
  const response = await channel.exchange({ cla: 0x00, ins: 0xa4, p1: 0x04, p2: 0x0c, data: aid });
  if (expectOk(response, notFound).length !== 0) throw new CardError('malformed_response', 'SELECT returned data although none was asked for');
  channel.noteSelected(toHex(aid));
}

/** SELECT FILE by EF id under the current application: `00 A4 02 0C 02 <FID>`. */
export async function selectFile(channel: ApduChannel, fid: number, notFound: CardReason = 'file_not_found'): Promise<void> {
  const response = await channel.exchange({ cla: 0x00, ins: 0xa4, p1: 0x02, p2: 0x0c, data: u16(fid) });
  if (expectOk(response, notFound).length !== 0) throw new CardError('malformed_response', 'SELECT returned data although none was asked for');
}

export interface PinStatus {
  locked: boolean;
  /** Tries left; undefined when the card did not say (it answered 90 00: already verified in this session). */
  triesLeft: number | undefined;
}

/** The empty VERIFY `00 20 00 80` on the selected PIN EF: `63 Cx` reports x tries left and spends none. */
export async function readPinStatus(channel: ApduChannel): Promise<PinStatus> {
  const response = await channel.exchange({ cla: 0x00, ins: 0x20, p1: 0x00, p2: 0x80 });
  const status = statusOf(response.sw);
  if (status.kind === 'tries_left') return { locked: status.triesLeft === 0, triesLeft: status.triesLeft };
  if (status.kind === 'locked') return { locked: true, triesLeft: 0 };
  if (status.kind === 'ok') return { locked: false, triesLeft: undefined };
  throw failureOf(response);
}

/**
 * VERIFY `00 20 00 80 Lc <secret>` on the selected PIN EF. The secret bytes are wiped once sent.
 * `63 Cx` (x > 0) is a wrong secret with x tries left; `63 C0`, `69 83` and `69 84` mean locked.
 * Never retried here: a wrong PIN costs a try, and only the person may decide to spend another.
 */
export async function verifySecret(channel: ApduChannel, secret: Uint8Array, wrong: 'wrong_pin' | 'wrong_verification_code'): Promise<void> {
  let response: ResponseApdu;
  try {
    response = await channel.exchange({ cla: 0x00, ins: 0x20, p1: 0x00, p2: 0x80, data: secret });
  } finally {
    wipe(secret);
  }
  const status = statusOf(response.sw);
  if (status.kind === 'ok') {
    if (response.data.length !== 0) throw new CardError('malformed_response', 'VERIFY returned data');
    return;
  }
  if (status.kind === 'tries_left') {
    if (status.triesLeft === 0) throw new CardError('pin_locked', 'wrong secret; it is now locked', { triesLeft: 0, sw: response.sw });
    throw new CardError(wrong, undefined, { triesLeft: status.triesLeft, sw: response.sw });
  }
  throw failureOf(response);
}

/** RSA-2048, the only key size JPKI and the 券面 applications use (JPKI.md §2.1). */
export const SIGNATURE_BYTES = 256;

/** COMPUTE DIGITAL SIGNATURE `80 2A P1 P2 Lc <data> 00` (JPKI.md §1.1); the answer must be one RSA-2048 block. */
export async function computeSignature(channel: ApduChannel, p1: number, p2: number, data: Uint8Array): Promise<Uint8Array> {
  const response = await channel.exchange({ cla: 0x80, ins: 0x2a, p1, p2, data, le: SIGNATURE_BYTES });
  const signature = expectOk(response);
  if (signature.length !== SIGNATURE_BYTES) throw new CardError('malformed_response', `a signature of ${signature.length} bytes, not ${SIGNATURE_BYTES}`);
  return signature;
}
