import type { Knex } from 'knex';
import { GENESIS_HASH, entryHash } from '../src/audit/canonical.ts';
import { fieldsOfRow } from '../src/audit/audit-log.ts';

/**
 * The audit log becomes append-only and hash-chained (issue #10):
 * - audit_log gains seq (1, 2, 3… with no gap), prev_hash and hash (SHA-256 over the canonical
 *   encoding of src/audit/canonical.ts); the rows written since 0006 are chained here, in id order,
 *   their times cut to milliseconds first (what a JavaScript Date holds, so the hash can cover them);
 * - audit_chain_head: one row, the last seq and hash; appends lock it FOR UPDATE, which serialises
 *   them across nodes, and a cut tail no longer matches it;
 * - triggers refuse UPDATE, DELETE and TRUNCATE of audit_log, and any head move other than one step
 *   forward. Deleting an account leaves its audit entries: they hold ids, never personal facts.
 */
const BATCH = 1000;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    t.bigInteger('seq');
    t.string('prev_hash', 64);
    t.string('hash', 64);
  });
  await knex.raw("update audit_log set created_at = date_trunc('milliseconds', created_at)");

  let prevHash = GENESIS_HASH;
  let seq = 0n;
  let afterId: string | number = 0;
  for (;;) {
    const rows = (await knex('audit_log').where('id', '>', afterId).orderBy('id', 'asc').limit(BATCH)) as Array<Record<string, any>>;
    for (const row of rows) {
      seq += 1n;
      const hash = entryHash(fieldsOfRow({ ...row, seq: seq.toString(), prev_hash: prevHash }));
      await knex('audit_log').where({ id: row.id }).update({ seq: seq.toString(), prev_hash: prevHash, hash });
      prevHash = hash;
      afterId = row.id;
    }
    if (rows.length < BATCH) break;
  }

  await knex.schema.alterTable('audit_log', (t) => {
    t.bigInteger('seq').notNullable().alter();
    t.string('prev_hash', 64).notNullable().alter();
    t.string('hash', 64).notNullable().alter();
    t.unique(['seq'], { indexName: 'audit_log_seq_unique' });
  });

  await knex.schema.createTable('audit_chain_head', (t) => {
    t.smallint('id').primary();
    t.bigInteger('seq').notNullable();
    t.string('hash', 64).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('alter table audit_chain_head add constraint audit_chain_head_single check (id = 1)');
  await knex('audit_chain_head').insert({ id: 1, seq: seq.toString(), hash: prevHash });

  await knex.raw(`
    create function audit_log_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end
    $$`);
  await knex.raw('create trigger audit_log_append_only before update or delete on audit_log for each row execute function audit_log_refuse_change()');
  await knex.raw('create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_refuse_change()');
  await knex.raw(`
    create function audit_chain_head_forward_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        if new.id = old.id and new.seq = old.seq + 1 then
          return new;
        end if;
      end if;
      raise exception 'audit_chain_head only moves one entry forward: % refused', tg_op using errcode = 'insufficient_privilege';
    end
    $$`);
  await knex.raw('create trigger audit_chain_head_forward before update or delete on audit_chain_head for each row execute function audit_chain_head_forward_only()');
  await knex.raw('create trigger audit_chain_head_no_truncate before truncate on audit_chain_head for each statement execute function audit_chain_head_forward_only()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists audit_log_append_only on audit_log');
  await knex.raw('drop trigger if exists audit_log_no_truncate on audit_log');
  await knex.raw('drop function if exists audit_log_refuse_change()');
  await knex.schema.dropTableIfExists('audit_chain_head');
  await knex.raw('drop function if exists audit_chain_head_forward_only()');
  await knex.schema.alterTable('audit_log', (t) => {
    t.dropUnique(['seq'], 'audit_log_seq_unique');
    t.dropColumn('seq');
    t.dropColumn('prev_hash');
    t.dropColumn('hash');
  });
}
