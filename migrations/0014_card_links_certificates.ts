import type { Knex } from 'knex';

/**
 * One card, one person (issue #15): a linked My Number Card keeps its user-authentication
 * certificate's facts (issuer, serial number, SHA-256 fingerprint, validity), how its owner was
 * shown to be the person (linked_via) and when a newer card replaced it. A person has at most one
 * current card; replaced cards stay listed, and never match at a kiosk.
 *
 * Links made before this change proved possession of the card but not that it was the person's
 * own: they stop matching (linked_via 'unproven', replaced) until the resident links the card again
 * with the proof the new rule asks for. The virtual cards get the user-authentication PIN's retry
 * counter, like the sign PIN's.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('card_links', (t) => {
    t.string('issuer', 512);
    t.string('serial_number', 64);
    t.string('fingerprint', 64);
    t.timestamp('not_before', { useTz: true });
    t.timestamp('not_after', { useTz: true });
    t.string('linked_via', 16).notNullable().defaultTo('unproven');
    t.timestamp('replaced_at', { useTz: true });
  });
  await knex('card_links').update({ replaced_at: knex.fn.now() });
  await knex.raw('create unique index card_links_one_current_card on card_links (person_id) where replaced_at is null');

  await knex.schema.alterTable('jpki_dev_cards', (t) => {
    t.integer('auth_pin_attempts_left').notNullable().defaultTo(3);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('jpki_dev_cards', (t) => {
    t.dropColumn('auth_pin_attempts_left');
  });
  await knex.raw('drop index if exists card_links_one_current_card');
  await knex.schema.alterTable('card_links', (t) => {
    for (const column of ['issuer', 'serial_number', 'fingerprint', 'not_before', 'not_after', 'linked_via', 'replaced_at']) t.dropColumn(column);
  });
}
