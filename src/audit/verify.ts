/**
 * Walks the audit chain from the first entry and recomputes every hash in Node, independently of
 * anything stored in the database but the rows themselves: a changed field, a removed or inserted
 * entry, a reordering or a cut tail shows up as the first link that does not hold.
 */
import type { Knex } from 'knex';
import { GENESIS_HASH, entryHash } from './canonical.ts';
import { AUDIT_TABLE, CHAIN_HEAD_TABLE, fieldsOfRow } from './audit-log.ts';

export type BrokenField = 'seq' | 'prev_hash' | 'hash' | 'head';

export interface BrokenLink {
  /** The row where the chain stops holding (null when the head points past the last row). */
  id: string | null;
  seq: string | null;
  field: BrokenField;
  expected: string;
  found: string;
}

export type ChainReport =
  | { ok: true; count: number; headSeq: string; headHash: string }
  | { ok: false; count: number; broken: BrokenLink };

export interface VerifyOptions {
  /** Rows read per query: memory stays flat however long the chain grows. */
  batchSize?: number;
}

export async function verifyAuditChain(db: Knex, options: VerifyOptions = {}): Promise<ChainReport> {
  const batchSize = options.batchSize ?? 1000;
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let count = 0;
  let lastSeq = 0n;
  for (;;) {
    const rows = (await db(AUDIT_TABLE)
      .where('seq', '>=', expectedSeq.toString())
      .orderBy('seq', 'asc')
      .limit(batchSize)) as Array<Record<string, any>>;
    for (const row of rows) {
      const fields = fieldsOfRow(row);
      const broken = (field: BrokenField, expected: string, found: string): ChainReport => ({
        ok: false,
        count,
        broken: { id: fields.id, seq: fields.seq, field, expected, found },
      });
      if (fields.seq !== expectedSeq.toString()) return broken('seq', expectedSeq.toString(), fields.seq);
      if (fields.prevHash !== prevHash) return broken('prev_hash', prevHash, fields.prevHash);
      const recomputed = entryHash(fields);
      if (String(row.hash) !== recomputed) return broken('hash', recomputed, String(row.hash));
      prevHash = recomputed;
      lastSeq = expectedSeq;
      expectedSeq += 1n;
      count += 1;
    }
    if (rows.length < batchSize) break;
  }
  const head = (await db(CHAIN_HEAD_TABLE).where({ id: 1 }).first('seq', 'hash')) as { seq: string | number; hash: string } | undefined;
  if (!head) return { ok: false, count, broken: { id: null, seq: null, field: 'head', expected: `seq ${lastSeq} ${prevHash}`, found: 'no chain head' } };
  if (String(head.seq) !== lastSeq.toString() || head.hash !== prevHash) {
    // Entries after the last verified one were removed, or the head was moved by hand.
    return {
      ok: false,
      count,
      broken: { id: null, seq: String(head.seq), field: 'head', expected: `seq ${lastSeq} ${prevHash}`, found: `seq ${head.seq} ${head.hash}` },
    };
  }
  return { ok: true, count, headSeq: lastSeq.toString(), headHash: prevHash };
}
