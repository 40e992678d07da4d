import { hash, verify } from '@node-rs/argon2';

/** @node-rs/argon2's `Algorithm.Argon2id` (a const enum, which type stripping cannot read). */
const ARGON2ID = 2;

/**
 * argon2id at OWASP's second recommended setting (19 MiB, 2 passes, 1 lane): strong enough for
 * online guessing, cheap enough for 60+ sign-ins a second on two cores.
 */
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
