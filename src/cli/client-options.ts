import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { InvalidInputError } from '../core/errors.ts';
import { checkOperatorSecret } from '../oidc/clients/client-service.ts';

/**
 * --secret-file PATH: a client secret the operator chose, read from a file that only its owner
 * (the user running the command, or root) can read or write — chmod 600 or 400 — so the secret is
 * never on the command line, in the shell history or the process list. One line; a final newline
 * is not part of it. The secret is never printed, and no refusal repeats it.
 */
export function readSecretFile(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  let fd: number;
  try {
    // Not blocking on a FIFO; the checks below and the read are of this one open file.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    throw new InvalidInputError('invalid_secret_file', `--secret-file: cannot read ${path}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InvalidInputError('invalid_secret_file', `--secret-file: ${path} is not a file`);
    if (stat.size > 4096) throw new InvalidInputError('invalid_client_secret', `--secret-file: ${path} is larger than a client secret`);
    if (process.platform !== 'win32') {
      if ((stat.mode & 0o077) !== 0) {
        throw new InvalidInputError(
          'insecure_secret_file',
          `--secret-file: ${path} can be read or written by other users (mode ${(stat.mode & 0o777).toString(8)}); make it private: chmod 600 ${path}`,
        );
      }
      const uid = process.getuid?.();
      if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) {
        throw new InvalidInputError('insecure_secret_file', `--secret-file: ${path} belongs to another user`);
      }
    }
    const secret = readFileSync(fd, 'utf8').replace(/\r?\n$/, '');
    checkOperatorSecret(secret);
    return secret;
  } finally {
    closeSync(fd);
  }
}

/** --application-type: web (the default) or native. */
export function applicationType(value: string | undefined): 'web' | 'native' | undefined {
  if (value === undefined || value === 'web' || value === 'native') return value;
  throw new InvalidInputError('invalid_option', '--application-type must be web or native');
}

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
