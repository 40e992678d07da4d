/**
 * The bus's log of what it received: one entry per answer from a wallet, with the outcome, the
 * refusal reason, and the facts received — only those the presentation carried and the core
 * verified (for the senior discount, `age_over_65` and nothing else). A presentation the core
 * refused leaves only its reason: unverified facts are not facts. In this process's memory,
 * the newest first, at most the last 500 (a demo; an operator's real log is its own store).
 */
const MAX_ENTRIES = 500;

export interface LogEntry {
  at: Date;
  accepted: boolean;
  reason: string | null;
  received: Record<string, unknown>;
}

export class VerifierLog {
  readonly #entries: LogEntry[] = [];

  record(entry: LogEntry): void {
    this.#entries.unshift(entry);
    this.#entries.length = Math.min(this.#entries.length, MAX_ENTRIES);
  }

  entries(): readonly LogEntry[] {
    return this.#entries;
  }
}
