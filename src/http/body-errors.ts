/**
 * Request bodies that cannot be read (koa-body over co-body, raw-body and zlib) as typed refusals.
 * Left alone, a body sent with `Content-Encoding: gzip` that is not gzip reaches the error handler
 * as a bare zlib error (a 500), and co-body's JSON errors carry the raw body, which must never be
 * logged: it may hold a password or a token.
 */
import type { Middleware } from 'koa';
import { InvalidInputError } from '../core/errors.ts';

export type BodyReason = 'invalid_body' | 'body_too_large' | 'unsupported_encoding' | 'not_json';

const STATUS: Record<BodyReason, number> = { invalid_body: 400, body_too_large: 413, unsupported_encoding: 415, not_json: 415 };

/** What a client shows for these refusals, Japanese first. */
export const BODY_MESSAGES: Record<BodyReason, { ja: string; en: string }> = {
  invalid_body: { ja: '送信内容を読み取れませんでした。', en: 'The request body could not be read.' },
  body_too_large: { ja: '送信内容が大きすぎます。', en: 'The request body is too large.' },
  unsupported_encoding: { ja: '送信内容の形式（エンコーディング）に対応していません。', en: 'The encoding of the request body is not supported.' },
  not_json: { ja: '送信内容は JSON（Content-Type: application/json）にしてください。', en: 'Send the request body as JSON (Content-Type: application/json).' },
};

export class BodyRefusal extends InvalidInputError {
  declare readonly reason: BodyReason;
  /** 400, 413 or 415: more precise than invalid_input's 400. */
  readonly status: number;

  constructor(reason: BodyReason, message: string) {
    super(reason, message);
    this.status = STATUS[reason];
  }
}

/** The typed refusal for a body parser's failure, or undefined when the error is something else. */
export function bodyRefusalOf(error: unknown): BodyRefusal | undefined {
  if (error instanceof BodyRefusal) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, type, status } = error as { code?: unknown; type?: unknown; status?: unknown };
  // zlib's failures while decoding a Content-Encoding: Z_DATA_ERROR… (gzip, deflate), ERR__ERROR_… (brotli).
  if (typeof code === 'string' && /^(Z_|ERR__ERROR_|ERR_BROTLI|ERR_ZLIB)[A-Z0-9_]*$/.test(code)) {
    return new BodyRefusal('invalid_body', 'the request body could not be decompressed');
  }
  switch (type) {
    case 'entity.too.large':
      return new BodyRefusal('body_too_large', 'the request body is too large');
    case 'encoding.unsupported':
      return new BodyRefusal('unsupported_encoding', 'the Content-Encoding is not supported');
    case 'charset.unsupported':
      return new BodyRefusal('unsupported_encoding', 'the charset is not supported');
    case 'request.size.invalid':
    case 'request.aborted':
    case 'stream.encoding.set':
      return new BodyRefusal('invalid_body', 'the request body is incomplete');
    default:
  }
  // inflation's refusal of an encoding it does not know (a plain Error marked 415).
  if (status === 415 && /^Unsupported Content-Encoding/.test(String((error as { message?: unknown }).message))) {
    return new BodyRefusal('unsupported_encoding', 'the Content-Encoding is not supported');
  }
  // co-body's JSON.parse failure: a SyntaxError it marks 400 and hangs the raw body on.
  if (status === 400 && (error as { name?: unknown }).name === 'SyntaxError') return new BodyRefusal('invalid_body', 'the request body is not valid JSON');
  return undefined;
}

/**
 * A JSON parser that refuses a body of another type instead of ignoring it: koa-body leaves such a
 * body unread, and the handler would go on with its defaults as if nothing had been sent.
 */
export function jsonOnly(parser: Middleware): Middleware {
  return async (ctx, next) => {
    const hasBody = (ctx.request.length ?? 0) > 0 || ctx.get('Transfer-Encoding') !== '';
    if (hasBody && !ctx.is('json')) throw new BodyRefusal('not_json', 'the request body must be JSON (Content-Type: application/json)');
    return parser(ctx, next);
  };
}
