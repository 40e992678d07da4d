/**
 * The first-party clients' part of a resident's data rights (docs/data-rights.md): the sessions
 * of PASS's own relying parties (the PASS app, PASS Manager) keep the signed-in user and their
 * tokens, sealed, in their own tables. They would expire by themselves; a deletion does not wait,
 * and ends them once it has committed.
 */
import type { DataRightsHooks } from '../../src/core/data-rights.ts';
import type { ClientSessions } from './session-store.ts';

export function clientSessionsDataRights(owner: string, sessions: Pick<ClientSessions<object>, 'endSessionsOf'>): DataRightsHooks {
  return {
    owner,
    // The first-party clients see the account id as `sub`.
    async afterForget(_db, subject) {
      await sessions.endSessionsOf(subject.accountId);
    },
  };
}
