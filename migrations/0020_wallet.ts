import type { Knex } from 'knex';

/**
 * The digital ID wallet's issuer (issue 19, src/wallet): its own signing keys (a credential lives
 * for months, an ID token for an hour, so they rotate apart), its status lists (IETF Token Status
 * List: one bit per credential, set = revoked) and one row per credential issued.
 *
 * A credential row holds no claim value: which person and type, where its status bit is, the
 * thumbprint of the holder's key, the signing key, and `basis_digest`, a keyed hash of the facts it
 * was issued from (so a change of address is found without keeping the address). `person_id` and
 * `holder_account_id` are no foreign keys on purpose: when the person or account goes, the row must
 * stay (emptied of them) until the credential expires, or its status bit could never be set.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('wallet_signing_keys', (t) => {
    t.string('kid', 64).primary();
    t.string('alg', 16).notNullable();
    /** next | current | retired, like oidc_signing_keys. */
    t.string('status', 16).notNullable();
    t.text('jwk_sealed').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('activated_at', { useTz: true });
    t.timestamp('retired_at', { useTz: true });
    /** A retired key is published until the last credential it signed has expired. */
    t.timestamp('expires_at', { useTz: true });
    t.index(['status']);
  });

  await knex.schema.createTable('wallet_status_lists', (t) => {
    t.uuid('id').primary();
    t.integer('size').notNullable();
    t.integer('used').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('wallet_credentials', (t) => {
    t.uuid('id').primary();
    t.uuid('person_id');
    /** The account that asked for it: the person's own, or the representative of their household. */
    t.uuid('holder_account_id');
    t.string('configuration_id', 64).notNullable();
    t.uuid('status_list_id').notNullable().references('id').inTable('wallet_status_lists');
    t.integer('status_index').notNullable();
    t.string('holder_key_thumbprint', 64);
    t.string('signing_kid', 64).notNullable();
    t.string('basis_digest', 64);
    t.timestamp('issued_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true });
    t.string('revocation_reason', 32);
    t.unique(['status_list_id', 'status_index']);
    t.index(['person_id']);
    t.index(['holder_account_id']);
    t.index(['status_list_id', 'revoked_at']);
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('wallet_credentials');
  await knex.schema.dropTable('wallet_status_lists');
  await knex.schema.dropTable('wallet_signing_keys');
}
