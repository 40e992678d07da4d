/**
 * The wallet's part of a resident's data rights (docs/data-rights.md). The export lists the credentials
 * issued to the account's wallet (type, person, dates, revocation; never their values). Deleting an account revokes
 * every credential about its persons or received by it, in the deletion's transaction, and empties
 * who they were about and held by: the rows stay only so that their status bits stay set until the
 * credentials expire (a credential copied off the phone must not come back to life).
 */
import type { DataRightsHooks } from '../core/data-rights.ts';
import { personIdsOf } from '../core/data-rights.ts';
import type { Knex } from 'knex';
import { allStatusListIds, anonymiseWhere, credentialsHeldBy } from './credential-store.ts';
import type { Revocations } from './revocation.ts';
import type { StatusLists } from './status-lists.ts';

export function walletDataRights(revocations: Revocations, lists: StatusLists): DataRightsHooks {
  return {
    owner: 'wallet',

    async exportFor(trx, subject) {
      return { account: { wallet_credentials: await credentialsHeldBy(trx, subject.accountId) } };
    },

    async forget(trx, subject) {
      const persons = personIdsOf(subject);
      const about = (q: Knex.QueryBuilder) => q.where((w) => w.whereIn('person_id', persons).orWhere('holder_account_id', subject.accountId));
      await revocations.revoke(trx, about, 'account_deleted', { actorAccountId: subject.accountId, anonymise: true });
      // Those revoked or expired before keep their bits too, without a name.
      await anonymiseWhere(trx, about);
    },

    async afterForget(db) {
      // The revoked rows no longer say whose they were: every node makes every list afresh.
      await lists.changed(await allStatusListIds(db));
    },
  };
}
