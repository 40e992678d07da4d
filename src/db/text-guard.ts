/**
 * Text PostgreSQL refuses: U+0000 anywhere ("invalid byte sequence for encoding UTF8: 0x00"), and
 * in JSON bound for jsonb also the escape \u0000 and unpaired UTF-16 surrogates ("Unicode low
 * surrogate must follow a high surrogate"). Such values reached callers as a 500; whatever route
 * they came by (a form field, a JSON body, a path segment), they are refused before the query as
 * invalid input, a 400 at the edge. (A plain text value with an unpaired surrogate is stored as
 * U+FFFD by the driver, which is harmless.)
 */
import type { Knex } from 'knex';
import { InvalidInputError } from '../core/errors.ts';

/** Serialised JSON, as bound for a jsonb column; other text may hold a backslash and "u0000" harmlessly. */
const looksLikeJson = (value: string) => /^[[{"]/.test(value);

/**
 * Whether PostgreSQL would refuse the value. `json`: the value ends up inside a JSON document (an
 * object or array binding, which the driver serialises, or a value in serialised JSON text).
 */
export function unstorableText(value: unknown, json = false, depth = 0): boolean {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return true;
    if (json) return !value.isWellFormed();
    if (!value.includes('\\u') || !looksLikeJson(value)) return false;
    try {
      return unstorableText(JSON.parse(value) as unknown, true, depth + 1);
    } catch {
      return false;
    }
  }
  if (value === null || typeof value !== 'object' || depth > 32 || ArrayBuffer.isView(value) || value instanceof Date) return false;
  if (Array.isArray(value)) return value.some((v) => unstorableText(v, json, depth + 1));
  return Object.entries(value as Record<string, unknown>).some(([k, v]) => unstorableText(k, true, depth + 1) || unstorableText(v, true, depth + 1));
}

export class UnstorableTextError extends InvalidInputError {
  constructor() {
    super('invalid_text', 'text must not contain NUL (U+0000) characters or unpaired surrogates');
  }
}

/** Checks every query's bindings (knex calls prepBindings once per query, raw ones included). */
export function guardTextBindings(db: Knex): void {
  const client = db.client as { prepBindings(bindings: unknown): unknown };
  const prepare = client.prepBindings.bind(client);
  client.prepBindings = (bindings: unknown) => {
    // The list itself is not a value; its elements are (an object or array element is sent as JSON).
    const values = Array.isArray(bindings) ? bindings : [bindings];
    if (values.some((v) => (v !== null && typeof v === 'object' ? unstorableText(v, true) : unstorableText(v)))) throw new UnstorableTextError();
    return prepare(bindings);
  };
}
