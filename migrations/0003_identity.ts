import type { Knex } from 'knex';

/**
 * Resident sign-up and sign-in: pending sign-ups, one-time codes (hashed), password reset tokens
 * (hashed, single use), sign-in failures for lockout, authentication events with amr/acr, and the
 * PASS app's server-side sessions.
 */
export async function up(knex: Knex): Promise<void> {
  // A sign-up in progress: the account is created only when both the e-mail and the phone are confirmed.
  await knex.schema.createTable('signups', (t) => {
    t.uuid('id').primary();
    t.string('interaction_uid', 64).notNullable().unique();
    t.string('email', 254).notNullable();
    t.text('password_hash').notNullable();
    t.string('phone_e164', 20);
    t.string('lang', 2).notNullable().defaultTo('ja');
    t.timestamp('email_verified_at', { useTz: true });
    t.timestamp('phone_verified_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });

  await knex.schema.createTable('verification_codes', (t) => {
    t.uuid('id').primary();
    t.string('purpose', 16).notNullable();
    /** The sign-up or account the code confirms. */
    t.string('subject', 64).notNullable();
    t.string('channel', 8).notNullable();
    /** The interaction a sign-in code belongs to, so it cannot finish another one. */
    t.string('context', 64);
    t.string('code_hash', 64).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('sent_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('consumed_at', { useTz: true });
    t.index(['purpose', 'subject']);
    t.index(['context']);
    t.index(['expires_at']);
  });

  await knex.schema.createTable('password_resets', (t) => {
    t.uuid('id').primary();
    t.uuid('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('token_hash', 64).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.index(['account_id']);
  });

  await knex.schema.createTable('login_failures', (t) => {
    t.uuid('account_id').primary().references('id').inTable('accounts').onDelete('CASCADE');
    t.integer('failures').notNullable().defaultTo(0);
    t.timestamp('last_failed_at', { useTz: true }).notNullable();
    t.timestamp('locked_until', { useTz: true });
  });

  await knex.schema.createTable('authentication_events', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('account_id').references('id').inTable('accounts').onDelete('CASCADE');
    t.string('event', 32).notNullable();
    /** RFC 8176 values, space-separated: "pwd", "pwd sms mfa"… */
    t.string('amr', 64);
    t.string('acr', 64);
    t.string('client_id', 255);
    t.string('ip', 45);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id', 'created_at']);
  });

  await knex.schema.createTable('app_sessions', (t) => {
    /** SHA-256 of the cookie value: a database leak does not give live sessions. */
    t.string('id', 64).primary();
    t.text('data_sealed').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['app_sessions', 'authentication_events', 'login_failures', 'password_resets', 'verification_codes', 'signups']) {
    await knex.schema.dropTableIfExists(table);
  }
}
