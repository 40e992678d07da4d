import { ConfigurationError } from '../../core/errors.ts';

/** Template encryption keys by id; new templates use the active key, old ones stay readable until re-encrypted. */
export interface TemplateKeyring {
  readonly activeKeyId: string;
  readonly keys: ReadonlyMap<string, Uint8Array>;
}

export interface KeyringInput {
  active: string;
  /** Key id → 32-byte key, as bytes or base64 / base64url text (what the config layer reads from secrets). */
  keys: Record<string, string | Uint8Array>;
}

const KEY_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function createKeyring(input: KeyringInput): TemplateKeyring {
  const problems: string[] = [];
  const keys = new Map<string, Uint8Array>();
  for (const [id, value] of Object.entries(input.keys)) {
    if (!KEY_ID.test(id)) {
      problems.push(`face template key id "${id}" must be 1-64 characters of A-Z a-z 0-9 . _ : -`);
      continue;
    }
    // Node's base64 decoder accepts both the standard and the URL-safe alphabet.
    const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    if (bytes.length !== 32) {
      problems.push(`face template key "${id}" must be 32 bytes (AES-256), got ${bytes.length}`);
      continue;
    }
    keys.set(id, new Uint8Array(bytes));
  }
  if (!keys.has(input.active) && !problems.some((p) => p.includes(`"${input.active}"`))) {
    problems.push(`active face template key "${input.active}" is not in the keyring`);
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return { activeKeyId: input.active, keys };
}
