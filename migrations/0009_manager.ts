import type { Knex } from 'knex';

/**
 * PASS Manager, the console (issue #9, part 1):
 * - manager_sessions: the console's server-side sessions (like app_sessions: a random cookie in
 *   the browser, the tokens sealed here);
 * - manager_alert_acks: a failed check-in acknowledged by a staff member (who, when), once;
 * - manager_alert_thumbnails: the photo of a refused face check-in, shrunk and sealed, for the
 *   facilities that ask for it, deleted when it expires (minutes, not days);
 * - manager_facility_settings: per facility, whether alerts keep a thumbnail and for how long.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('manager_sessions', (t) => {
    t.string('id', 64).primary();
    t.text('data_sealed').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });

  await knex.schema.createTable('manager_alert_acks', (t) => {
    t.uuid('checkin_id').primary().references('id').inTable('checkins').onDelete('CASCADE');
    t.string('facility_id', 64).notNullable().references('id').inTable('facilities').onDelete('CASCADE');
    t.uuid('acked_by_account_id').references('id').inTable('accounts').onDelete('SET NULL');
    t.timestamp('acked_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['facility_id', 'acked_at']);
  });

  await knex.schema.createTable('manager_alert_thumbnails', (t) => {
    t.uuid('checkin_id').primary().references('id').inTable('checkins').onDelete('CASCADE');
    t.string('facility_id', 64).notNullable().references('id').inTable('facilities').onDelete('CASCADE');
    t.text('image_sealed').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });

  await knex.schema.createTable('manager_facility_settings', (t) => {
    t.string('facility_id', 64).primary().references('id').inTable('facilities').onDelete('CASCADE');
    t.boolean('alert_thumbnails').notNullable().defaultTo(false);
    t.integer('thumbnail_ttl_seconds').notNullable().defaultTo(600);
    t.uuid('updated_by_account_id');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['manager_facility_settings', 'manager_alert_thumbnails', 'manager_alert_acks', 'manager_sessions']) {
    await knex.schema.dropTableIfExists(table);
  }
}
