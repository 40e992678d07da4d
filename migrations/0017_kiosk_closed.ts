import type { Knex } from 'knex';

/**
 * When a kiosk said it was closing (its page closed or it signed out; issue 18). PASS Manager shows
 * such a kiosk as closed at once, rather than as running until its heartbeats are missed; the
 * kiosk's next request clears it (src/kiosk/kiosk-store.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('kiosks', (t) => {
    t.timestamp('closed_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('kiosks', (t) => {
    t.dropColumn('closed_at');
  });
}
