import { hash, verify } from '@node-rs/argon2';

/** @node-rs/argon2's `Algorithm.Argon2id` (a const enum, which type stripping cannot read). */
const ARGON2ID = 2;

/**
 * argon2id at 12 MiB, 3 passes, 1 lane: one of the settings OWASP's password storage cheat sheet
 * lists as giving the same defence as its 19 MiB / 2-pass default. Chosen over that default because
 * @node-rs/argon2's allocator takes blocks over 16 MiB fresh from the kernel on every call, which
 * then zeroes them: 12 MiB / t=3 costs ~6 ms of CPU per verification here, 19 MiB / t=2 ~10.5 ms
 * (figures in bench/README.md). Hashes made with other parameters keep verifying: each hash
 * carries its own.
 */
export const ARGON2_PARAMETERS = { memoryKiB: 12288, passes: 3, lanes: 1 } as const;

const OPTIONS = { algorithm: ARGON2ID, memoryCost: ARGON2_PARAMETERS.memoryKiB, timeCost: ARGON2_PARAMETERS.passes, parallelism: ARGON2_PARAMETERS.lanes } as const;

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
