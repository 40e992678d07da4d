/**
 * PASS Manager holds nothing about a resident, but a staff member's account names the facility
 * settings it changed (emptied when the account is deleted) and the alerts it acknowledged (ON
 * DELETE SET NULL).
 */
import { emptyActorColumns, type DataRightsHooks } from '../core/data-rights.ts';

export const managerDataRights: DataRightsHooks = {
  owner: 'manager',

  async forget(trx, subject) {
    await emptyActorColumns(trx, subject.accountId, [['manager_facility_settings', 'updated_by_account_id']]);
  },
};
