import type { Knex } from 'knex';

/**
 * Resource servers (APIs) registered with PASS (RFC 8707 resource indicators): a relying party
 * asking for `resource=<identifier>` gets an access token for that API, as a signed JWT when the
 * API validates tokens itself. PASS's own API (`${issuer}/api`) is built in and stays opaque.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('resource_servers', (t) => {
    t.string('identifier', 500).primary();
    t.string('name', 200).notNullable();
    t.jsonb('scopes').notNullable();
    t.string('token_format', 16).notNullable().defaultTo('jwt');
    t.integer('access_token_ttl');
    t.string('facility_id', 64);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('resource_servers');
}
