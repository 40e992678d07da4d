import type { Knex } from 'knex';

/**
 * The kiosk as an offline verifier of wallet presentations (issue 19).
 * `facilities.wallet_status_max_age_seconds` (src/facilities/wallet-status-policy.ts) is how old a
 * status list a kiosk of the facility holds may be and still be relied on: the longest a revoked
 * credential can still pass there while the kiosk is cut off. The default, a day, lets a shelter
 * keep checking in residents through a night without its uplink.
 * `checkins.presentation_digest` (SHA-256 of an accepted presentation's key-binding JWT) lets the
 * same presentation count once only, however many kiosk-made ids it is sent under.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('facilities', (t) => {
    t.integer('wallet_status_max_age_seconds').notNullable().defaultTo(86400);
  });
  await knex.schema.alterTable('checkins', (t) => {
    t.string('presentation_digest', 64);
    t.unique(['presentation_digest'], { indexName: 'checkins_presentation_digest_unique' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('checkins', (t) => {
    t.dropUnique(['presentation_digest'], 'checkins_presentation_digest_unique');
    t.dropColumn('presentation_digest');
  });
  await knex.schema.alterTable('facilities', (t) => {
    t.dropColumn('wallet_status_max_age_seconds');
  });
}
