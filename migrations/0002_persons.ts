import type { Knex } from 'knex';

/**
 * A person is a human subject (the account holder, or a family member they manage); face
 * templates, verified identity and facility registrations hang off persons, not accounts.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('persons', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').references('id').inTable('accounts').onDelete('CASCADE');
    t.string('relation', 16).notNullable().defaultTo('self');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('persons');
}
