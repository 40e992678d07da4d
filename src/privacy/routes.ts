/**
 * The data-rights API (resource `${issuer}/api`, scope `pass:api`, a resident's token):
 *   GET  /api/privacy/export     the resident's data as JSON (docs/data-rights.md), as a download
 *   GET  /api/privacy/deletion   what deleting the account would delete, keep and tell
 *   POST /api/privacy/deletion   { password, confirm: true, members?: 'refuse' | 'delete' } → deleted
 *   GET  /api/privacy/history/checkins?limit&before   my and my household's check-ins, newest first, paged
 *   GET  /api/privacy/history/releases?limit&before   releases of our facts (what, to whom, when), newest first, paged
 * Handlers are thin: the rules are in export.ts and deletion.ts; refusals carry ja/en messages.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { InvalidInputError, PassError } from '../core/errors.ts';
import { apiEdge, exposing } from '../http/api-edge.ts';
import { jsonBody } from '../http/request-body.ts';
import { describeIssues, validation } from '../http/validate.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Database } from '../db/database.ts';
import type { DataExporter } from './export.ts';
import type { AccountDeletion } from './deletion.ts';
import { CHECKIN_CURSOR, checkinHistoryPage, HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX, RELEASE_CURSOR, releaseHistoryPage } from './history.ts';
import { PRIVACY_REASONS } from './messages.ts';

export const PRIVACY_PREFIX = '/api/privacy';

const deletionBody = z.object({
  password: z.string().min(1).max(200),
  confirm: z.literal(true, { error: 'confirm must be true' }),
  members: z.enum(['refuse', 'delete']).default('refuse'),
});

/** A page of history: how many (at most HISTORY_PAGE_MAX) and where the previous page ended. */
const historyQuery = (cursor: RegExp) =>
  z.object({
    limit: z.coerce.number().int().min(1).max(HISTORY_PAGE_MAX).default(HISTORY_PAGE_DEFAULT),
    before: z.string().regex(cursor).optional(),
  });
const checkinsQuery = historyQuery(CHECKIN_CURSOR);
const releasesQuery = historyQuery(RELEASE_CURSOR);

/** An unticked confirmation has its own words; anything else is an invalid request. */
const { validate } = validation(
  (issues) => new InvalidInputError(issues.some((i) => i.path[0] === 'confirm') ? 'confirmation_required' : 'invalid_request', describeIssues(issues)),
);

export interface PrivacyRoutesDeps {
  db: Database;
  auth: Middleware;
  exporter: DataExporter;
  deletion: AccountDeletion;
}

function accountOf(ctx: Context): string {
  const accountId = ctx.state.principal?.accountId;
  if (!accountId) throw new PassError('forbidden', 'account_required', 'a token issued to a signed-in resident is required');
  return accountId;
}

function noStore(ctx: Context, body: unknown, status = 200): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.status = status;
  ctx.body = body;
}

export function privacyRoutes(deps: PrivacyRoutesDeps): Router {
  const router = new Router({ prefix: PRIVACY_PREFIX });
  router.use(apiEdge({ reasons: [PRIVACY_REASONS], details: exposing(['members', 'retryAfterSeconds']), retryAfter: { 503: 30 }, logMessage: 'data-rights request refused' }), deps.auth);

  /** Only a resident's own token: refused before the body's fields are looked at. */
  const resident: Middleware = async (ctx, next) => {
    accountOf(ctx);
    await next();
  };

  router.get('/export', async (ctx) => {
    const accountId = accountOf(ctx);
    const data = await deps.exporter.export(accountId);
    await appendAudit(deps.db, { actorAccountId: accountId, action: 'privacy.data_exported', details: { format: data.format, version: data.version } });
    ctx.set('Content-Disposition', `attachment; filename="pass-data-${data.generated_at.slice(0, 10)}.json"`);
    noStore(ctx, data);
  });

  router.get('/history/checkins', resident, validate({ query: checkinsQuery }), async (ctx) => {
    noStore(ctx, await checkinHistoryPage(deps.db, accountOf(ctx), ctx.state.input.query));
  });

  router.get('/history/releases', resident, validate({ query: releasesQuery }), async (ctx) => {
    noStore(ctx, await releaseHistoryPage(deps.db, accountOf(ctx), ctx.state.input.query));
  });

  router.get('/deletion', async (ctx) => {
    const p = await deps.deletion.preview(accountOf(ctx));
    noStore(ctx, {
      persons: p.persons,
      members: p.members,
      blocked_by: p.blockedBy ?? null,
      relying_parties: p.relyingParties.map((r) => ({ client_id: r.clientId, name: r.name, backchannel_logout: r.backchannelLogout })),
      active_registrations: p.activeRegistrations,
      face_enrollments: p.faceEnrollments,
      checkins: p.checkins,
      kiosks_approved: p.kiosksApproved,
    });
  });

  router.post('/deletion', jsonBody, resident, validate({ body: deletionBody }), async (ctx) => {
    const { password, members } = ctx.state.input.body;
    const result = await deps.deletion.delete(accountOf(ctx), { password, members });
    noStore(ctx, {
      deleted: true,
      deleted_at: result.deletedAt.toISOString(),
      persons_deleted: result.persons,
      members_deleted: result.members,
      grants_revoked: result.grantsRevoked,
      checkins_anonymised: result.checkinsAnonymised,
      relying_parties_notified: result.relyingPartiesNotified,
    });
  });

  return router;
}
