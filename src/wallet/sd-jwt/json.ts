/**
 * JSON from a hostile sender: the nesting is measured on the text before JSON.parse runs, so a
 * deeply nested part is refused without building it, and the walks after it stay shallow.
 */
import { SD_JWT_LIMITS } from './limits.ts';
import { refuse } from './errors.ts';
import type { PresentationReason } from './reasons.ts';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** The deepest nesting of arrays and objects in a JSON text (brackets inside strings not counted). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

export function parseJson(text: string, reason: PresentationReason, what: string): Json {
  if (jsonDepth(text) > SD_JWT_LIMITS.maxDepth) throw refuse('presentation_too_large', `${what} is nested deeper than ${SD_JWT_LIMITS.maxDepth}`);
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw refuse(reason, `${what} is not JSON`);
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseJsonObject(text: string, reason: PresentationReason, what: string): JsonObject {
  const value = parseJson(text, reason, what);
  if (!isJsonObject(value)) throw refuse(reason, `${what} is not a JSON object`);
  return value;
}

/** Sets a property as data, so a name like "__proto__" from a disclosure stays a plain key. */
export function putProperty(target: JsonObject, name: string, value: Json): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}
