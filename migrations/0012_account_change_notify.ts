import type { Knex } from 'knex';

/**
 * Every change to an account, or to a person that belongs to one, is announced on the channel
 * `pass_account_changed` with the account id, after its transaction commits (NOTIFY is
 * transactional). PASS nodes cache what sign-in, token and userinfo requests read about an
 * account (src/identity/account-cache.ts) and drop an entry when they hear of it: whichever code,
 * node or tool made the change.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function pass_notify_account_change() returns trigger language plpgsql as $$
    begin
      if tg_table_name = 'accounts' then
        perform pg_notify('pass_account_changed', old.id::text);
      else
        if tg_op <> 'INSERT' and old.account_id is not null then
          perform pg_notify('pass_account_changed', old.account_id::text);
        end if;
        if tg_op <> 'DELETE' and new.account_id is not null then
          perform pg_notify('pass_account_changed', new.account_id::text);
        end if;
      end if;
      return null;
    end
    $$`);
  await knex.raw('create trigger accounts_announce_change after update or delete on accounts for each row execute function pass_notify_account_change()');
  await knex.raw('create trigger persons_announce_change after insert or update or delete on persons for each row execute function pass_notify_account_change()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists accounts_announce_change on accounts');
  await knex.raw('drop trigger if exists persons_announce_change on persons');
  await knex.raw('drop function if exists pass_notify_account_change()');
}
