import type { Knex } from 'knex';

/**
 * Face templates (顔パス): one sealed template per person (AES-256-GCM, key id in the blob and in
 * its own column so rotation can find old ones), and gallery membership: which persons a gallery
 * (a facility's registrants, a municipality's consenting residents) searches. Both go with the person.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('face_templates', (t) => {
    t.uuid('person_id').primary().references('id').inTable('persons').onDelete('CASCADE');
    t.string('model_id', 128).notNullable();
    t.string('key_id', 64).notNullable();
    t.binary('template').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['key_id']);
  });

  await knex.schema.createTable('face_gallery_members', (t) => {
    t.string('gallery_id', 64).notNullable();
    t.uuid('person_id').notNullable().references('id').inTable('persons').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['gallery_id', 'person_id']);
    t.index(['person_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('face_gallery_members');
  await knex.schema.dropTableIfExists('face_templates');
}
