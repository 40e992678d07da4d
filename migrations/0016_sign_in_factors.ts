import type { Knex } from 'knex';

/**
 * Sign-in at AAL2 (issue 15): the second factors an account holds, owned by src/identity.
 *   passkeys            WebAuthn credentials (public key, signature counter, backup state)
 *   totp_authenticators one authenticator app per account (RFC 6238), its secret sealed with
 *                       PASS_ENCRYPTION_KEYS (and a pending one while a new app is set up);
 *                       the last time step used, so a code works once
 *   remembered_devices  browsers the resident chose to remember after a second factor: only a
 *                       hash of the cookie's secret is kept, each can be revoked
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('passkeys', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE').index();
    t.string('credential_id', 1400).notNullable().unique();
    t.binary('public_key').notNullable();
    t.bigInteger('counter').notNullable().defaultTo(0);
    t.jsonb('transports').notNullable().defaultTo('[]');
    t.string('device_type', 16).notNullable();
    t.boolean('backed_up').notNullable().defaultTo(false);
    t.string('name', 64).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
  });
  await knex.schema.createTable('totp_authenticators', (t) => {
    t.uuid('account_id').primary().references('id').inTable('accounts').onDelete('CASCADE');
    t.text('secret_sealed');
    t.text('pending_sealed');
    t.timestamp('confirmed_at', { useTz: true });
    t.bigInteger('last_step').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('remembered_devices', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE').index();
    t.string('secret_hash', 64).notNullable();
    t.string('factor', 8).notNullable();
    t.string('label', 120).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('remembered_devices');
  await knex.schema.dropTableIfExists('totp_authenticators');
  await knex.schema.dropTableIfExists('passkeys');
}
