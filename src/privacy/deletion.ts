/**
 * Deleting an account (docs/data-rights.md). The resident confirms with their password first
 * (a wrong one counts towards the sign-in lockout, so this is no way round it). Then:
 *   1. every grant ends with its tokens, and every other oidc-provider record naming the account
 *      (sessions, interactions) goes, in PostgreSQL and Redis;
 *   2. in one transaction: check-ins made anonymous (kept for the facility's statistics, no person
 *      or card in them), claim releases and one-time codes deleted, "who did it" columns of rows
 *      that are not the resident's emptied, then the persons (face template, gallery places,
 *      verified facts, registrations, card link, household go with them by cascade), the account,
 *      and last the audit entry (ids only — the audit log is append-only and keeps it);
 *   3. afterwards: every node's face galleries drop the persons (event bus); the sessions of PASS's
 *      own apps, the JPKI flow's records and rate-limit counters go; oidc-provider's records are
 *      swept once more (a sign-in racing the deletion); relying parties with a back-channel logout
 *      URI are told.
 * A household representative with members deletes them too only when asked to (`members:
 * 'delete'`); otherwise the deletion is refused until the members are removed.
 *
 * Each owner forgets its own rows (src/<owner>/data-rights.ts); this module orders them, holds the
 * transaction, writes the audit entry and runs what must follow the commit.
 */
import type { Redis } from 'ioredis';
import type Provider from 'oidc-provider';
import type { Database } from '../db/database.ts';
import type { Logger } from '../core/logger.ts';
import type { DataRightsHooks, DataSubject, DeletionPreviewCounts, ForgetReport } from '../core/data-rights.ts';
import { ConflictError, InvalidInputError, NotFoundError, PassError } from '../core/errors.ts';
import { deleteKeysMatching } from '../db/redis.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { verifyPassword } from '../identity/passwords.ts';
import { Lockout } from '../identity/lockout.ts';
import { lockAccount } from '../identity/accounts.ts';
import { passwordHashOf } from '../identity/data-rights.ts';
import { accountChanged } from '../identity/account-cache.ts';
import { forgetOidcRecords, revokeGrants } from '../oidc/data-rights.ts';
import { dataSubject, members, personIds } from './subject.ts';
import { ownerOrder, mergeOwned } from './owner-hooks.ts';

export type MembersChoice = 'refuse' | 'delete';

export interface DeletionDeps {
  db: Database;
  redis: Redis | undefined;
  log: Logger;
  /**
   * The owners of the resident's data, asked per request (capabilities may start after this one);
   * their forget runs in this order, those removing the subject itself last.
   */
  hooks: () => readonly DataRightsHooks[];
  provider: () => Provider;
  /** The running face service, to drop deleted persons from every node's galleries at once. */
  personRemoved: (personId: string) => Promise<void>;
  backchannelLogout: (clientId: string, accountId: string) => Promise<string>;
}

export interface DeletionPreview extends DeletionPreviewCounts {
  persons: Array<{ id: string; relation: string }>;
  members: number;
  /** Why the deletion would be refused as asked (members present and not to be deleted). */
  blockedBy: 'household_has_members' | undefined;
}

export interface DeletionResult {
  deletedAt: Date;
  persons: number;
  members: number;
  grantsRevoked: number;
  checkinsAnonymised: number;
  relyingPartiesNotified: Record<string, string>;
}

/** What the preview says of an owner that is not there to count. */
const NOTHING_TO_PREVIEW: DeletionPreviewCounts = { relyingParties: [], activeRegistrations: 0, faceEnrollments: 0, checkins: 0, kiosksApproved: 0 };

export class AccountDeletion {
  readonly #d: DeletionDeps;
  readonly #lockout: Lockout;

  constructor(deps: DeletionDeps) {
    this.#d = deps;
    this.#lockout = new Lockout(deps.db);
  }

  #hooks(): DataRightsHooks[] {
    return ownerOrder(this.#d.hooks());
  }

  async #subject(accountId: string): Promise<DataSubject> {
    const subject = await dataSubject(this.#d.db, accountId);
    if (!subject) throw new NotFoundError('account_not_found', 'the account no longer exists');
    return subject;
  }

  async preview(accountId: string): Promise<DeletionPreview> {
    const subject = await this.#subject(accountId);
    const hooks = this.#hooks();
    const counts: Partial<DeletionPreviewCounts> = {};
    for (const hook of hooks) if (hook.preview) mergeOwned(counts, await hook.preview(this.#d.db, subject), hook.owner, 'preview count');
    const memberCount = members(subject).length;
    return {
      persons: subject.persons.map((p) => ({ id: p.id, relation: p.relation })),
      members: memberCount,
      blockedBy: memberCount > 0 ? 'household_has_members' : undefined,
      ...NOTHING_TO_PREVIEW,
      ...counts,
    };
  }

  /** The password, as at sign-in: locked accounts wait, a wrong password counts as a failed sign-in. */
  async #confirmPassword(accountId: string, password: string): Promise<void> {
    const lock = await this.#lockout.state(accountId);
    if (lock.lockedForSeconds > 0) {
      throw new PassError('rate_limited', 'account_locked', 'too many wrong passwords; try again later', { retryAfterSeconds: lock.lockedForSeconds });
    }
    const passwordHash = await passwordHashOf(this.#d.db, accountId);
    if (passwordHash === undefined) throw new NotFoundError('account_not_found', 'the account no longer exists');
    if (!(await verifyPassword(passwordHash, password))) {
      const after = await this.#lockout.recordFailure(accountId);
      throw new InvalidInputError('password_wrong', 'the password is not correct', after.lockedForSeconds > 0 ? { retryAfterSeconds: after.lockedForSeconds } : undefined);
    }
  }

  async delete(accountId: string, input: { password: string; members: MembersChoice }): Promise<DeletionResult> {
    await this.#confirmPassword(accountId, input.password);
    const subject = await this.#subject(accountId);
    const memberCount = members(subject).length;
    if (memberCount > 0 && input.members !== 'delete') {
      throw new ConflictError('household_has_members', 'remove the household members first, or choose to delete them with the account', { members: memberCount });
    }
    const { db, log } = this.#d;
    const hooks = this.#hooks();

    // 1. Nothing issued to the account works from here on.
    const grants = await revokeGrants(db, this.#d.provider(), accountId);
    await forgetOidcRecords(db, this.#d.redis, accountId);

    // 2. The database, all or nothing: each owner forgets its rows, those of the subject itself last.
    const deletedAt = new Date();
    const { report, current } = await db.transaction(async (trx) => {
      if (!(await lockAccount(trx, accountId))) throw new NotFoundError('account_not_found', 'the account no longer exists');
      const current = (await dataSubject(trx, accountId))!;
      // A member added since the check above is not deleted without the resident having said so.
      if (members(current).length > 0 && input.members !== 'delete') {
        throw new ConflictError('household_has_members', 'remove the household members first, or choose to delete them with the account', { members: members(current).length });
      }
      const report: Partial<ForgetReport> = {};
      for (const hook of hooks) if (hook.forget) mergeOwned(report, await hook.forget(trx, current), hook.owner, 'forget report');
      // Last: the chain head stays locked until commit, so no other row lock is taken after it.
      await appendAudit(trx, {
        actorAccountId: accountId,
        action: 'privacy.account_deleted',
        personId: current.persons.find((p) => p.relation === 'self')?.id,
        householdId: current.householdId,
        details: { persons: personIds(current), members: members(current).length, grantsRevoked: grants.length, clients: [...new Set(grants.map((g) => g.clientId))] },
      });
      return { report, current };
    });
    const ids = personIds(current);

    accountChanged(db, accountId);
    // 3. Everything outside the transaction; each step is idempotent, so a failure here is logged, not fatal.
    const settle = async (what: string, step: () => Promise<unknown>) => {
      await step().catch((error: unknown) => log.warn({ err: error, step: what }, 'account deletion: a follow-up step failed'));
    };
    for (const personId of ids) await settle('face gallery', () => this.#d.personRemoved(personId));
    for (const hook of hooks) if (hook.afterForget) await settle(hook.owner, () => hook.afterForget!(db, current));
    const { redis } = this.#d;
    if (redis) await settle('rate limits', () => deleteKeysMatching(redis, `pass:rl:*${accountId}*`));
    await settle('OIDC records', async () => {
      await revokeGrants(db, this.#d.provider(), accountId);
      await forgetOidcRecords(db, this.#d.redis, accountId);
    });
    const notified: Record<string, string> = {};
    for (const clientId of new Set(grants.map((g) => g.clientId))) notified[clientId] = await this.#d.backchannelLogout(clientId, accountId);
    log.info({ accountId, persons: ids.length, grants: grants.length, notified }, 'account deleted');
    return {
      deletedAt,
      persons: ids.length,
      members: members(current).length,
      grantsRevoked: grants.length,
      checkinsAnonymised: report.checkinsAnonymised ?? 0,
      relyingPartiesNotified: notified,
    };
  }
}
