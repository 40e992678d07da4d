import type { Knex } from 'knex';

/** Platform foundation: oidc-provider storage, signing keys, accounts, municipalities and facilities. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('oidc_payloads', (t) => {
    t.string('model', 40).notNullable();
    t.string('id', 255).notNullable();
    t.jsonb('payload').notNullable();
    t.string('grant_id', 255);
    t.string('user_code', 255);
    t.string('uid', 255);
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('consumed_at', { useTz: true });
    t.primary(['model', 'id']);
    t.index(['grant_id']);
    t.index(['model', 'user_code']);
    t.index(['model', 'uid']);
    t.index(['expires_at']);
  });

  await knex.schema.createTable('oidc_clients', (t) => {
    t.string('client_id', 255).primary();
    t.jsonb('metadata').notNullable();
    t.text('client_secret_sealed');
    t.string('facility_id', 64);
    t.string('source', 16).notNullable().defaultTo('admin');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('oidc_signing_keys', (t) => {
    t.string('kid', 64).primary();
    t.string('alg', 16).notNullable();
    t.string('status', 16).notNullable();
    t.text('jwk_sealed').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('activated_at', { useTz: true });
    t.timestamp('retired_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true });
    t.index(['status']);
  });

  await knex.schema.createTable('municipalities', (t) => {
    t.string('code', 6).primary();
    t.string('name_ja', 100).notNullable();
    t.string('name_en', 100).notNullable();
    t.string('prefecture_ja', 20).notNullable();
  });

  await knex.schema.createTable('facilities', (t) => {
    t.string('id', 64).primary();
    t.string('municipality_code', 6).notNullable().references('code').inTable('municipalities');
    t.string('kind', 32).notNullable();
    t.string('name_ja', 200).notNullable();
    t.string('name_en', 200).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('accounts', (t) => {
    t.uuid('id').primary();
    t.string('email', 254).notNullable().unique();
    t.string('phone_e164', 20).unique();
    t.text('password_hash').notNullable();
    t.string('role', 16).notNullable().defaultTo('resident');
    t.timestamp('email_verified_at', { useTz: true });
    t.timestamp('phone_verified_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['accounts', 'facilities', 'municipalities', 'oidc_signing_keys', 'oidc_clients', 'oidc_payloads']) {
    await knex.schema.dropTableIfExists(table);
  }
}
