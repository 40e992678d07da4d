import type { Knex } from 'knex';

/**
 * What a facility's kiosks show on their public screen (issue 15), beside PASS Manager's other
 * facility settings: the name rule (given_name, full_name, none) and the age rule (children_only,
 * always, never). The defaults show the least that still greets the person: the given name, and an
 * age for children only. The values are checked by src/manager/kiosk-display/display-settings.ts.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('manager_facility_settings', (t) => {
    t.string('kiosk_name_display', 16).notNullable().defaultTo('given_name');
    t.string('kiosk_age_display', 16).notNullable().defaultTo('children_only');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('manager_facility_settings', (t) => {
    t.dropColumn('kiosk_age_display');
    t.dropColumn('kiosk_name_display');
  });
}
