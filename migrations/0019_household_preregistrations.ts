import type { Knex } from 'knex';

/**
 * Pre-registrations of household members (issue 16, "誰一人取り残さない"): the representative names a
 * member (an elderly parent, say) from the PASS app, and the member completes proofing at a
 * municipal kiosk with their My Number Card within 24 hours (src/households/preregistrations.ts).
 * The name and birthdate are what the card will say: kept sealed for display, and found again only
 * by a keyed hash of the two (`match_key`), so the table holds no readable personal facts.
 * `municipality_code` is the representative's municipality, whose staff see the pending list.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('household_preregistrations', (t) => {
    t.uuid('id').primary();
    t.uuid('household_id').notNullable().references('id').inTable('households').onDelete('CASCADE');
    t.uuid('representative_account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    /** child | parent */
    t.string('relation', 16).notNullable();
    t.text('facts_sealed').notNullable();
    t.string('match_key', 64).notNullable();
    t.string('municipality_code', 16);
    /** pending | completed | cancelled; an expired one stays pending until cleaned up: expiry is by time. */
    t.string('status', 16).notNullable().defaultTo('pending');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('completed_at', { useTz: true });
    t.timestamp('cancelled_at', { useTz: true });
    t.uuid('person_id').references('id').inTable('persons').onDelete('SET NULL');
    t.index(['match_key', 'status']);
    t.index(['household_id', 'status']);
    t.index(['municipality_code', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('household_preregistrations');
}
