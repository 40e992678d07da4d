import type { Knex } from 'knex';

/**
 * Kiosks and check-ins (issue #8):
 * - staff_assignments: account × scope (facility:<id> or municipality:<code>) × role
 *   (facility_staff | facility_admin | municipal_admin); PASS Manager (issue #9) extends it;
 * - kiosks: a tablet bound to a facility by a staff member's device-grant approval, its DPoP key
 *   thumbprint and grant, last contact, revocation;
 * - checkins: every check-in attempt (accepted or refused) under the kiosk-made id, so a retry
 *   never duplicates; the matched person or the card key of an anonymous card check-in;
 * - qr_token_uses: the single use of each signed check-in QR code (jti), until it expires;
 * - card_links: a user-authentication certificate (issuer + serial, hashed) linked to a person;
 * - checkin_codes: codes of the device-code check-in (kiosk screen or a poster at the entrance);
 * - municipal_emergencies: emergency mode of a municipality (shelter galleries widen).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('staff_assignments', (t) => {
    t.uuid('account_id').notNullable().references('id').inTable('accounts').onDelete('CASCADE');
    t.string('scope', 80).notNullable();
    t.string('role', 24).notNullable();
    t.string('facility_id', 64).references('id').inTable('facilities').onDelete('CASCADE');
    t.string('municipality_code', 6).notNullable().references('code').inTable('municipalities');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['account_id', 'scope']);
    t.index(['facility_id']);
  });

  await knex.schema.createTable('kiosks', (t) => {
    t.string('id', 40).primary();
    t.string('facility_id', 64).notNullable().references('id').inTable('facilities');
    t.string('name', 100).notNullable();
    t.string('client_id', 255).notNullable();
    t.string('grant_id', 255).notNullable().unique();
    t.string('jkt', 64).notNullable();
    t.uuid('approved_by_account_id').references('id').inTable('accounts').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_contact_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.uuid('revoked_by_account_id');
    t.index(['facility_id']);
  });

  await knex.schema.createTable('checkins', (t) => {
    t.uuid('id').primary();
    t.string('facility_id', 64).notNullable().references('id').inTable('facilities');
    t.string('kiosk_id', 40);
    t.string('method', 16).notNullable();
    t.string('result', 16).notNullable();
    t.string('reason', 48);
    t.uuid('person_id').references('id').inTable('persons').onDelete('SET NULL');
    t.string('card_key', 64);
    t.string('direction', 4).notNullable().defaultTo('in');
    t.string('gallery_id', 80);
    t.text('details_sealed');
    t.jsonb('shown');
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['facility_id', 'recorded_at']);
    t.index(['person_id']);
  });

  await knex.schema.createTable('qr_token_uses', (t) => {
    t.string('jti', 64).primary();
    t.uuid('checkin_id').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });

  await knex.schema.createTable('card_links', (t) => {
    t.string('card_key', 64).primary();
    t.uuid('person_id').notNullable().references('id').inTable('persons').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['person_id']);
  });

  await knex.schema.createTable('checkin_codes', (t) => {
    t.string('code', 16).primary();
    t.string('facility_id', 64).notNullable().references('id').inTable('facilities').onDelete('CASCADE');
    t.string('kiosk_id', 40);
    t.string('direction', 4).notNullable().defaultTo('in');
    t.timestamp('expires_at', { useTz: true });
    t.uuid('last_checkin_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['kiosk_id']);
  });

  await knex.schema.createTable('municipal_emergencies', (t) => {
    t.string('municipality_code', 6).primary().references('code').inTable('municipalities');
    t.uuid('started_by_account_id');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['municipal_emergencies', 'checkin_codes', 'card_links', 'qr_token_uses', 'checkins', 'kiosks', 'staff_assignments']) {
    await knex.schema.dropTableIfExists(table);
  }
}
