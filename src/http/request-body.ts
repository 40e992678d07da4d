/**
 * The one way PASS reads a request body, and the refusals when it cannot: malformed → 400,
 * too large → 413, not JSON or an encoding it cannot read → 415. A failure is recognised by the
 * type or status that the parsers (koa-body over co-body, raw-body, inflation, zlib; formidable
 * for uploads) put on their errors, never by their message text. Left alone, a body sent with
 * `Content-Encoding: gzip` that is not gzip would reach the error handler as a bare zlib error
 * (a 500), and co-body's JSON errors carry the raw body, which must never be logged: it may hold
 * a password or a token.
 */
import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { InvalidInputError, PassError } from '../core/errors.ts';
import { defineReasons } from '../core/reasons.ts';

/** The refusals of a body that cannot be read, for every API and form of PASS. */
export const BODY_REASONS = defineReasons('http-body', {
  invalid_body: { status: 400, ja: '送信内容を読み取れませんでした。', en: 'The request body could not be read.' },
  body_too_large: { status: 413, ja: '送信内容が大きすぎます。', en: 'The request body is too large.' },
  unsupported_encoding: { status: 415, ja: '送信内容の形式（エンコーディング）に対応していません。', en: 'The encoding of the request body is not supported.' },
  not_json: { status: 415, ja: '送信内容は JSON（Content-Type: application/json）にしてください。', en: 'Send the request body as JSON (Content-Type: application/json).' },
});

export type BodyReason = (typeof BODY_REASONS)['reasons'][number];

/** The most a JSON body of PASS's APIs may hold. */
export const JSON_BODY_LIMIT = '64kb';

export class BodyRefusal extends InvalidInputError {
  declare readonly reason: BodyReason;

  constructor(reason: BodyReason, message: string) {
    super(reason, message, undefined, BODY_REASONS.status(reason));
  }
}

/** formidable's own code for "a file or the files together are larger than allowed" (its errors carry httpCode 413 too). */
const FORMIDABLE_TOO_LARGE = new Set([1009, 1016]);

/** The typed refusal for a body parser's failure, or undefined when the error is something else. */
export function bodyRefusalOf(error: unknown): BodyRefusal | undefined {
  if (error instanceof BodyRefusal) return error;
  // PASS's own refusals carry a status too (a 415 of the face API is not inflation's).
  if (error instanceof PassError || typeof error !== 'object' || error === null) return undefined;
  const { code, type, status, httpCode, name } = error as { code?: unknown; type?: unknown; status?: unknown; httpCode?: unknown; name?: unknown };
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
  // formidable (multipart uploads): a file over the size limit.
  if (httpCode === 413 || (typeof code === 'number' && FORMIDABLE_TOO_LARGE.has(code))) return new BodyRefusal('body_too_large', 'the request body is too large');
  // inflation's refusal of an encoding it does not know: a plain Error marked 415, with no type.
  if (status === 415 && type === undefined) return new BodyRefusal('unsupported_encoding', 'the Content-Encoding is not supported');
  // co-body's JSON.parse failure: a SyntaxError it marks 400 and hangs the raw body on.
  if (status === 400 && name === 'SyntaxError') return new BodyRefusal('invalid_body', 'the request body is not valid JSON');
  return undefined;
}

/** True when a parser's failure is a body over its size limit (pages that answer with their own words use it). */
export function isBodyTooLarge(error: unknown): boolean {
  return bodyRefusalOf(error)?.reason === 'body_too_large';
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

/** The JSON body of every API route that takes one: JSON only, at most 64 kB, objects and arrays only. */
export const jsonBody: Middleware = jsonOnly(
  koaBody({ json: true, urlencoded: false, multipart: false, text: false, jsonLimit: JSON_BODY_LIMIT, jsonStrict: true }) as unknown as Middleware,
);
