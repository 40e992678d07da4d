/**
 * One error type for everything that goes wrong between PASS and a card: a status word the card
 * answered, a response that is not well formed, a card taken off the reader. Callers switch on
 * `reason` (from the catalogue in reasons.ts), never on message text. Messages never carry a PIN,
 * a verification number or card data.
 */
import { PassError } from '../core/errors.ts';
import type { Lang } from '../core/reasons.ts';
import { CARD_REASONS, triesLeftText, type CardReason } from './reasons.ts';

export interface CardErrorDetails {
  /** Wrong PIN or verification number: the tries the card says are left (63 Cx). */
  triesLeft?: number;
  /** The status word that ended the exchange, when the card gave one. */
  sw?: number;
}

export class CardError extends PassError {
  declare readonly reason: CardReason;
  readonly triesLeft: number | undefined;
  readonly sw: number | undefined;

  constructor(reason: CardReason, description?: string, details: CardErrorDetails = {}, options?: { cause?: unknown }) {
    const exposed: Record<string, unknown> = {};
    // `attempts_left` is the name the proofing and kiosk APIs already answer with.
    if (details.triesLeft !== undefined) exposed.attempts_left = details.triesLeft;
    if (details.sw !== undefined) exposed.sw = details.sw.toString(16).toUpperCase().padStart(4, '0');
    super(CARD_REASONS.code(reason), reason, description ?? CARD_REASONS.entry(reason).en, exposed, CARD_REASONS.status(reason));
    this.triesLeft = details.triesLeft;
    this.sw = details.sw;
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

export function isCardError(error: unknown, reason?: CardReason): error is CardError {
  return error instanceof CardError && (reason === undefined || error.reason === reason);
}

/** What a person reads for a card error: the reason's words, then the tries left where there are any. */
export function describeCardError(error: CardError, lang: Lang): string {
  const text = CARD_REASONS.entry(error.reason)[lang];
  const counted = error.reason === 'wrong_pin' || error.reason === 'wrong_verification_code';
  if (!counted || error.triesLeft === undefined) return text;
  return `${text}${lang === 'ja' ? '' : ' '}${triesLeftText(error.triesLeft, lang)}`;
}
