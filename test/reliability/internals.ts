// What gives PASS's internals away in an answer: a stack frame, a source path, a driver's error.
// Tokens, codes and ids are random base64url, and random text spells anything sooner or later
// ("knex" turned up in an access token of a clean run), so they are never scanned: a successful
// answer's credential fields are skipped, and any long run of the base64url alphabet is blanked first.
// An error answer carries no credential: all of it is scanned.

/** Words and shapes only internals produce, matched as whole words. */
const INTERNALS =
  /\n\s+at |\bnode_modules\b|\/src\/|\.ts:\d|\b(?:ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|knex|ioredis|pg-pool|enableOfflineQueue|TypeError|ReferenceError|SyntaxError)\b|Connection terminated|Timeout acquiring|Stream isn't writeable/;

/** A run this long of the base64url alphabet is an opaque value (a token, a code, an id, a JWT segment). */
const OPAQUE = /[A-Za-z0-9_-]{20,}/g;

/** JSON fields that hold credentials (access_token, refresh_token, id_token, token, code…). */
const CREDENTIAL_FIELD = /(?:^|_)(?:token|code|secret|jti)$/;

/** The strings of a JSON value, but for those of the fields `skip` names. */
function strings(value: unknown, skip: (key: string) => boolean, key = ''): string[] {
  if (typeof value === 'string') return skip(key) ? [] : [value];
  if (Array.isArray(value)) return value.flatMap((item) => strings(item, skip, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, skip, k));
  return [];
}

/** The internals an answer's body shows (the matched text), or undefined when it shows none. */
export function internalsIn(status: number, text: string): string | undefined {
  let parts: string[];
  try {
    parts = strings(JSON.parse(text), (key) => status < 400 && CREDENTIAL_FIELD.test(key));
  } catch {
    parts = [text];
  }
  for (const part of parts) {
    const found = INTERNALS.exec(part.replace(OPAQUE, ' '));
    if (found) return found[0].trim();
  }
  return undefined;
}
