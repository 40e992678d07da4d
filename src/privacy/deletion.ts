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
 */
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type Provider from 'oidc-provider';
import type { Database } from '../db/database.ts';
import type { Logger } from '../core/logger.ts';
import type { SecretBox } from '../core/secret-box.ts';
import { ConflictError, InvalidInputError, NotFoundError, PassError } from '../core/errors.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { verifyPassword } from '../identity/passwords.ts';
import { Lockout } from '../identity/lockout.ts';
import { dataSubject, members, personIds, type DataSubject } from './subject.ts';
import { forgetOidcRecords, grantsOf, revokeGrants } from './oidc-records.ts';
import { forgetJpkiTransients, forgetSealedSessions } from './transients.ts';
import { accountChanged } from '../identity/account-cache.ts';

export type MembersChoice = 'refuse' | 'delete';

export interface DeletionDeps {
  db: Database;
  redis: Redis | undefined;
  box: SecretBox;
  log: Logger;
  provider: () => Provider;
  /** The running face service, to drop deleted persons from every node's galleries at once. */
  personRemoved: (personId: string) => Promise<void>;
  backchannelLogout: (clientId: string, accountId: string) => Promise<string>;
}

export interface DeletionPreview {
  persons: Array<{ id: string; relation: string }>;
  members: number;
  /** Why the deletion would be refused as asked (members present and not to be deleted). */
  blockedBy: 'household_has_members' | undefined;
  relyingParties: Array<{ clientId: string; name: string; backchannelLogout: boolean }>;
  activeRegistrations: number;
  faceEnrollments: number;
  checkins: number;
  /** Kiosks this (staff) account approved: their tokens are the approval's, so they must be provisioned again. */
  kiosksApproved: number;
}

export interface DeletionResult {
  deletedAt: Date;
  persons: number;
  members: number;
  grantsRevoked: number;
  checkinsAnonymised: number;
  relyingPartiesNotified: Record<string, string>;
}

/** Rows that stay because they are someone else's, with a column naming who acted: emptied. */
const ACTOR_COLUMNS: ReadonlyArray<readonly [table: string, column: string]> = [
  ['registrations', 'registered_by_account_id'],
  ['registrations', 'withdrawn_by_account_id'],
  ['registration_events', 'actor_account_id'],
  ['household_members', 'added_by_account_id'],
  ['kiosks', 'revoked_by_account_id'],
  ['municipal_emergencies', 'started_by_account_id'],
  ['manager_facility_settings', 'updated_by_account_id'],
  ['client_claim_policies', 'updated_by_account_id'],
];

const count = async (query: Knex.QueryBuilder): Promise<number> => Number(((await query.count({ n: '*' })) as Array<{ n: string | number }>)[0]?.n ?? 0);

export class AccountDeletion {
  readonly #d: DeletionDeps;
  readonly #lockout: Lockout;

  constructor(deps: DeletionDeps) {
    this.#d = deps;
    this.#lockout = new Lockout(deps.db);
  }

  async #subject(accountId: string): Promise<DataSubject> {
    const subject = await dataSubject(this.#d.db, accountId);
    if (!subject) throw new NotFoundError('account_not_found', 'the account no longer exists');
    return subject;
  }

  async preview(accountId: string): Promise<DeletionPreview> {
    const { db } = this.#d;
    const subject = await this.#subject(accountId);
    const ids = personIds(subject);
    const grants = await grantsOf(db, accountId);
    const clientIds = [...new Set(grants.map((g) => g.clientId))];
    const clients = clientIds.length ? ((await db('oidc_clients').whereIn('client_id', clientIds).select('client_id', 'metadata')) as Array<{ client_id: string; metadata: unknown }>) : [];
    const memberCount = members(subject).length;
    return {
      persons: subject.persons.map((p) => ({ id: p.id, relation: p.relation })),
      members: memberCount,
      blockedBy: memberCount > 0 ? 'household_has_members' : undefined,
      relyingParties: clients.map((c) => {
        const metadata = (typeof c.metadata === 'string' ? JSON.parse(c.metadata) : c.metadata) as Record<string, unknown>;
        return { clientId: c.client_id, name: String(metadata.client_name ?? c.client_id), backchannelLogout: typeof metadata.backchannel_logout_uri === 'string' };
      }),
      activeRegistrations: ids.length ? await count(db('registrations').whereIn('person_id', ids).andWhere({ status: 'active' })) : 0,
      faceEnrollments: ids.length ? await count(db('face_templates').whereIn('person_id', ids)) : 0,
      checkins: ids.length ? await count(db('checkins').whereIn('person_id', ids)) : 0,
      kiosksApproved: await count(db('kiosks').where({ approved_by_account_id: accountId }).whereNull('revoked_at')),
    };
  }

  /** The password, as at sign-in: locked accounts wait, a wrong password counts as a failed sign-in. */
  async #confirmPassword(accountId: string, password: string): Promise<void> {
    const lock = await this.#lockout.state(accountId);
    if (lock.lockedForSeconds > 0) {
      throw new PassError('rate_limited', 'account_locked', 'too many wrong passwords; try again later', { retryAfterSeconds: lock.lockedForSeconds });
    }
    const row = (await this.#d.db('accounts').where({ id: accountId }).first('password_hash')) as { password_hash: string } | undefined;
    if (!row) throw new NotFoundError('account_not_found', 'the account no longer exists');
    if (!(await verifyPassword(row.password_hash, password))) {
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

    // 1. Nothing issued to the account works from here on.
    const grants = await revokeGrants(db, this.#d.provider(), accountId);
    await forgetOidcRecords(db, this.#d.redis, accountId);

    // 2. The database, all or nothing.
    const deletedAt = new Date();
    const { anonymised, ids, membersDeleted } = await db.transaction(async (trx) => {
      const locked = await trx('accounts').where({ id: accountId }).forUpdate().first('id');
      if (!locked) throw new NotFoundError('account_not_found', 'the account no longer exists');
      const current = (await dataSubject(trx, accountId))!;
      // A member added since the check above is not deleted without the resident having said so.
      if (members(current).length > 0 && input.members !== 'delete') {
        throw new ConflictError('household_has_members', 'remove the household members first, or choose to delete them with the account', { members: members(current).length });
      }
      const ids = personIds(current);
      const self = current.persons.find((p) => p.relation === 'self');
      const cards = ids.length ? ((await trx('card_links').whereIn('person_id', ids).pluck('card_key')) as string[]) : [];
      // Check-ins stay for the facility's counts: method, result, direction, time — nobody in them.
      const checkins = ids.length || cards.length
        ? await trx('checkins')
            .where((q) => {
              if (ids.length) q.whereIn('person_id', ids);
              if (cards.length) q.orWhereIn('card_key', cards);
            })
            .update({ person_id: null, card_key: null, shown: null, details_sealed: null })
        : 0;
      await trx('claim_releases').where({ account_id: accountId }).delete();
      if (ids.length) await trx('claim_releases').whereIn('person_id', ids).delete();
      await trx('verification_codes').where({ subject: accountId }).delete();
      await trx('signups').where({ email: current.email }).delete();
      await trx('jpki_transients').whereRaw('position(? in key) > 0', [accountId]).delete();
      for (const [table, column] of ACTOR_COLUMNS) {
        if (await trx.schema.hasTable(table)) await trx(table).where({ [column]: accountId }).update({ [column]: null });
      }
      // The persons take their face, facts, registrations, card link and household with them (ON DELETE CASCADE).
      if (ids.length) await trx('persons').whereIn('id', ids).delete();
      await trx('accounts').where({ id: accountId }).delete();
      // Last: the chain head stays locked until commit, so no other row lock is taken after it.
      await appendAudit(trx, {
        actorAccountId: accountId,
        action: 'privacy.account_deleted',
        personId: self?.id,
        householdId: current.householdId,
        details: { persons: ids, members: members(current).length, grantsRevoked: grants.length, clients: [...new Set(grants.map((g) => g.clientId))] },
      });
      return { anonymised: checkins, ids, membersDeleted: members(current).length };
    });

    accountChanged(db, accountId);
    // 3. Everything outside the transaction; each step is idempotent, so a failure here is logged, not fatal.
    const settle = async (what: string, step: () => Promise<unknown>) => {
      await step().catch((error: unknown) => log.warn({ err: error, step: what }, 'account deletion: a follow-up step failed'));
    };
    for (const personId of ids) await settle('face gallery', () => this.#d.personRemoved(personId));
    await settle('app sessions', () => forgetSealedSessions(db, this.#d.box, accountId));
    await settle('JPKI transients and rate limits', () => forgetJpkiTransients(db, this.#d.redis, accountId));
    await settle('OIDC records', async () => {
      await revokeGrants(db, this.#d.provider(), accountId);
      await forgetOidcRecords(db, this.#d.redis, accountId);
    });
    const notified: Record<string, string> = {};
    for (const clientId of new Set(grants.map((g) => g.clientId))) notified[clientId] = await this.#d.backchannelLogout(clientId, accountId);
    log.info({ accountId, persons: ids.length, grants: grants.length, notified }, 'account deleted');
    return { deletedAt, persons: ids.length, members: membersDeleted, grantsRevoked: grants.length, checkinsAnonymised: anonymised, relyingPartiesNotified: notified };
  }
}
