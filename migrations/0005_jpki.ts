import type { Knex } from 'knex';

/**
 * Identity proofing with the My Number Card (JPKI, issue #4):
 * - jpki_transients: challenges and verifications awaiting the resident's confirmation, when no
 *   Redis is configured (single use, minutes long);
 * - identity_verifications: the history of proofs of a person, evidence kept minimal (issuer,
 *   serial, time, revocation result and method) and the derived claims sealed;
 * - person_identities: the binding of a person to one verified identity, unique per keyed hash;
 * - jpki_dev_ca / jpki_dev_cards: the development JPKI test CA and the virtual cards of demo
 *   residents (never used in production).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('jpki_transients', (t) => {
    t.string('key', 200).primary();
    t.text('value').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });

  await knex.schema.createTable('identity_verifications', (t) => {
    t.uuid('id').primary();
    t.uuid('person_id').notNullable().references('id').inTable('persons').onDelete('CASCADE');
    t.uuid('account_id').references('id').inTable('accounts').onDelete('SET NULL');
    t.string('client_id', 255);
    t.string('method', 32).notNullable().defaultTo('jpki_signature');
    t.text('issuer').notNullable();
    t.string('serial_number', 64).notNullable();
    t.timestamp('certificate_not_after', { useTz: true }).notNullable();
    t.string('anchor_environment', 16).notNullable();
    t.timestamp('verified_at', { useTz: true }).notNullable();
    t.string('revocation_status', 16).notNullable();
    t.string('revocation_method', 8).notNullable();
    t.timestamp('revocation_checked_at', { useTz: true }).notNullable();
    t.text('revocation_source').notNullable();
    t.boolean('name_substituted').notNullable().defaultTo(false);
    t.boolean('address_substituted').notNullable().defaultTo(false);
    t.text('claims_sealed').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['person_id', 'verified_at']);
  });

  await knex.schema.createTable('person_identities', (t) => {
    t.uuid('person_id').primary().references('id').inTable('persons').onDelete('CASCADE');
    t.string('person_key', 100).notNullable().unique();
    t.uuid('current_verification_id').notNullable().references('id').inTable('identity_verifications');
    t.timestamp('bound_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('jpki_dev_ca', (t) => {
    t.string('kind', 32).primary();
    t.text('certificate_pem').notNullable();
    t.text('private_key_sealed').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('jpki_dev_cards', (t) => {
    t.string('id', 64).primary();
    t.string('label', 200).notNullable();
    t.string('serial_number', 64).notNullable();
    t.text('signature_certificate').notNullable();
    t.text('authentication_certificate');
    t.text('secrets_sealed').notNullable();
    t.integer('sign_pin_attempts_left').notNullable().defaultTo(3);
    t.timestamp('revoked_at', { useTz: true });
    t.string('revocation_reason', 32);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['jpki_dev_cards', 'jpki_dev_ca', 'person_identities', 'identity_verifications', 'jpki_transients']) {
    await knex.schema.dropTableIfExists(table);
  }
}
