import type { Knex } from 'knex';

/**
 * Presentation-attack detection per facility, and its result with each face check-in (issue 17).
 * `facilities.pad_policy` (off, record, required; src/facilities/pad-policy.ts) says whether a
 * kiosk's face check-in keeps the detector's result or is refused on an attack; the default,
 * `record`, keeps it and changes no outcome, so existing facilities behave as before. The
 * check-in keeps what the detector said (status, probability of a live face, method, model) so
 * that staff can see, later, why a face was refused or let in.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('facilities', (t) => {
    t.string('pad_policy', 16).notNullable().defaultTo('record');
  });
  await knex.schema.alterTable('checkins', (t) => {
    t.string('pad_status', 16);
    t.double('pad_score');
    t.string('pad_method', 64);
    t.string('pad_model', 64);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('checkins', (t) => {
    t.dropColumn('pad_model');
    t.dropColumn('pad_method');
    t.dropColumn('pad_score');
    t.dropColumn('pad_status');
  });
  await knex.schema.alterTable('facilities', (t) => {
    t.dropColumn('pad_policy');
  });
}
