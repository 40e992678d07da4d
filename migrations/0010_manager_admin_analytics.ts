import type { Knex } from 'knex';

/**
 * PASS Manager, management and analytics (issue #9, part 2):
 * - checkins.resident: whether the matched person lived in the facility's municipality at
 *   check-in time (from the verified address, derived then; null when unknown: refusals,
 *   anonymous cards, unproofed persons). Analytics counts residents in SQL without decrypting
 *   anyone's identity, and no address is kept;
 * - an index for date-range analytics and shelter rosters (facility, occurred_at);
 * - client_claim_policies: the claim units a relying party of a facility may receive, always a
 *   subset of its facility's claim policy; its OIDC scopes are derived from it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('checkins', (t) => {
    t.boolean('resident');
    t.index(['facility_id', 'occurred_at'], 'checkins_facility_occurred');
  });

  await knex.schema.createTable('client_claim_policies', (t) => {
    t.string('client_id', 255).primary().references('client_id').inTable('oidc_clients').onDelete('CASCADE');
    t.jsonb('units').notNullable();
    t.uuid('updated_by_account_id');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('client_claim_policies');
  await knex.schema.alterTable('checkins', (t) => {
    t.dropIndex(['facility_id', 'occurred_at'], 'checkins_facility_occurred');
    t.dropColumn('resident');
  });
}
