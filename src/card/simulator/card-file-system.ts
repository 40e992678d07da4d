/**
 * What the simulated card holds, application by application: transparent EFs with their read
 * conditions, PIN (or verification-number) EFs with retry counters, and private-key EFs with the
 * PIN that unlocks them — the structure JPKI.md §1.1–§1.3 describes, in memory.
 */
import type { KeyObject } from 'node:crypto';

/** Who may read a file or use a key: anyone, or whoever verified one of these PIN EFs in this session. */
export type AccessRule = 'always' | { verified: readonly number[] };

export interface SimulatedFile {
  /** The file's physical content, filler included. */
  data: Uint8Array;
  read: AccessRule;
}

export interface SimulatedSecret {
  value: Uint8Array;
  maxTries: number;
  triesLeft: number;
}

/**
 * A private key the simulator does not hold itself (a development card store keeps it): applies
 * PKCS#1 v1.5 type-1 padding to the bytes given and the RSA private-key operation, like the card's
 * `80 2A 00 80` — enough for every signing scheme the simulator answers.
 */
export type PaddedSigner = (payload: Uint8Array) => Uint8Array;

export interface SimulatedKey {
  privateKey: KeyObject | PaddedSigner;
  use: AccessRule;
}

export interface SimulatedApplication {
  name: string;
  aid: Uint8Array;
  files: Map<number, SimulatedFile>;
  secrets: Map<number, SimulatedSecret>;
  keys: Map<number, SimulatedKey>;
  /** The key `80 2A P1 00` signs with (the 券面 applications' own key, usable without a PIN). */
  applicationKey?: SimulatedKey;
}

export function secret(value: string, maxTries: number): SimulatedSecret {
  return { value: new TextEncoder().encode(value), maxTries, triesLeft: maxTries };
}

export function application(name: string, aid: Uint8Array): SimulatedApplication {
  return { name, aid, files: new Map(), secrets: new Map(), keys: new Map() };
}
