import type { Knex } from 'knex';

/**
 * The demo relying party of 豊岡市 (clients/booking): its own users (made from PASS claims at the
 * first login), its sessions (found by PASS subject and session id for back-channel logout) and
 * room bookings. A real booking system keeps these in its own database.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('booking_users', (t) => {
    t.uuid('id').primary();
    t.string('pass_sub', 255).notNullable().unique();
    t.jsonb('profile').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_login_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('booking_sessions', (t) => {
    t.string('id', 64).primary();
    t.text('data_sealed').notNullable();
    t.string('pass_sub', 255);
    t.string('pass_sid', 255);
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['pass_sub']);
    t.index(['pass_sid']);
  });
  await knex.schema.createTable('booking_reservations', (t) => {
    t.increments('id').primary();
    t.uuid('user_id').notNullable().references('id').inTable('booking_users').onDelete('CASCADE');
    t.string('room', 64).notNullable();
    t.date('day').notNullable();
    t.string('slot', 16).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['room', 'day', 'slot']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['booking_reservations', 'booking_sessions', 'booking_users']) await knex.schema.dropTableIfExists(table);
}
