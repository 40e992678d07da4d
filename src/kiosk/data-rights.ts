/**
 * Kiosks hold nothing about a resident, but a staff member's account names the kiosks it approved
 * or revoked. Deleting, the approval goes (ON DELETE SET NULL: the kiosk's tokens were the
 * approval's, so it has to be provisioned again — the preview says how many) and the name of
 * whoever revoked one is emptied.
 */
import { countOf, emptyActorColumns, type DataRightsHooks } from '../core/data-rights.ts';

export const kioskDataRights: DataRightsHooks = {
  owner: 'kiosk',

  async preview(db, subject) {
    return { kiosksApproved: await countOf(db('kiosks').where({ approved_by_account_id: subject.accountId }).whereNull('revoked_at')) };
  },

  async forget(trx, subject) {
    await emptyActorColumns(trx, subject.accountId, [['kiosks', 'revoked_by_account_id']]);
  },
};
