import { readFileSync } from 'node:fs';
import { InvalidInputError } from '../core/errors.ts';

/** --jwks: a JSON Web Key Set inline, or @path to a file holding one. Public keys only. */
export function readJwks(value: string | undefined): { keys: Record<string, unknown>[] } | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value);
  } catch {
    throw new InvalidInputError('invalid_jwks', '--jwks must be a JSON Web Key Set, inline or as @file');
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => k && typeof k === 'object')) {
    throw new InvalidInputError('invalid_jwks', '--jwks must hold { "keys": [ … ] }');
  }
  if (keys.some((k) => 'd' in (k as object))) throw new InvalidInputError('invalid_jwks', '--jwks must hold public keys only: a private key was given');
  return { keys: keys as Record<string, unknown>[] };
}

export function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) throw new InvalidInputError('invalid_option', `--${name} must be a whole number`);
  return Number(value);
}
