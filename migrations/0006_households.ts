import type { Knex } from 'knex';

/**
 * Households, facility claim policies, registrations and the claims engine (issue #6):
 * - households / household_members: a representative and the persons they manage; a person is in
 *   at most one household (household_members.person_id is the primary key);
 * - facility_claim_policies: what a facility may ask for, why, how long it keeps it, its sector;
 * - registrations (+ registration_events): a person × facility, the consented claims, 利用中 or
 *   withdrawn, with history; one active registration per person and facility;
 * - claim_releases: every release of claims (names only, never values): to whom, when, for whom;
 * - audit_log: household and consent changes (who did what to whom), no personal facts;
 * - text_ap_dev_cards: development virtual cards of the text-input-support AP (never in production).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('households', (t) => {
    t.uuid('id').primary();
    t.uuid('representative_account_id').notNullable().unique().references('id').inTable('accounts').onDelete('CASCADE');
    t.uuid('representative_person_id').notNullable().references('id').inTable('persons').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('household_members', (t) => {
    t.uuid('person_id').primary().references('id').inTable('persons').onDelete('CASCADE');
    t.uuid('household_id').notNullable().references('id').inTable('households').onDelete('CASCADE');
    /** representative | child | parent */
    t.string('relation', 16).notNullable();
    t.uuid('added_by_account_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['household_id']);
  });

  await knex.schema.createTable('facility_claim_policies', (t) => {
    t.string('facility_id', 64).primary().references('id').inTable('facilities').onDelete('CASCADE');
    t.jsonb('required').notNullable();
    t.jsonb('optional').notNullable();
    t.text('purpose_ja').notNullable();
    t.text('purpose_en').notNullable();
    t.integer('retention_days').notNullable();
    t.string('sector', 200).notNullable();
    t.string('subject_type', 8).notNullable().defaultTo('pairwise');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('registrations', (t) => {
    t.uuid('id').primary();
    t.uuid('person_id').notNullable().references('id').inTable('persons').onDelete('CASCADE');
    t.string('facility_id', 64).notNullable().references('id').inTable('facilities');
    t.string('status', 16).notNullable();
    t.jsonb('claims').notNullable();
    t.uuid('registered_by_account_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('withdrawn_at', { useTz: true });
    t.uuid('withdrawn_by_account_id');
    t.index(['person_id']);
    t.index(['facility_id', 'status']);
  });
  await knex.raw("create unique index registrations_one_active on registrations (person_id, facility_id) where status = 'active'");

  await knex.schema.createTable('registration_events', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('registration_id').notNullable().references('id').inTable('registrations').onDelete('CASCADE');
    t.string('event', 16).notNullable();
    t.jsonb('claims').notNullable();
    t.uuid('actor_account_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['registration_id']);
  });

  await knex.schema.createTable('claim_releases', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('person_id').notNullable();
    t.uuid('account_id');
    t.string('client_id', 255).notNullable();
    t.string('facility_id', 64);
    t.string('use', 16).notNullable();
    t.jsonb('claims').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['person_id', 'created_at']);
    t.index(['client_id', 'created_at']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('actor_account_id');
    t.string('action', 48).notNullable();
    t.uuid('household_id');
    t.uuid('person_id');
    t.string('facility_id', 64);
    t.uuid('registration_id');
    t.jsonb('details').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['household_id', 'created_at']);
    t.index(['person_id', 'created_at']);
  });

  await knex.schema.createTable('text_ap_dev_cards', (t) => {
    t.string('id', 64).primary();
    t.string('label', 200).notNullable();
    t.text('data_sealed').notNullable();
    t.integer('pin_attempts_left').notNullable().defaultTo(3);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'text_ap_dev_cards',
    'audit_log',
    'claim_releases',
    'registration_events',
    'registrations',
    'facility_claim_policies',
    'household_members',
    'households',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
