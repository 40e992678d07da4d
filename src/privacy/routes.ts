/**
 * The data-rights API (resource `${issuer}/api`, scope `pass:api`, a resident's token):
 *   GET  /api/privacy/export     the resident's data as JSON (docs/data-rights.md), as a download
 *   GET  /api/privacy/deletion   what deleting the account would delete, keep and tell
 *   POST /api/privacy/deletion   { password, confirm: true, members?: 'refuse' | 'delete' } → deleted
 * Handlers are thin: the rules are in export.ts and deletion.ts; refusals carry ja/en messages.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { InvalidInputError, PassError } from '../core/errors.ts';
import { apiRefusals, jsonBody } from '../http/api-refusals.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Database } from '../db/database.ts';
import type { DataExporter } from './export.ts';
import type { AccountDeletion } from './deletion.ts';
import { privacyMessage } from './messages.ts';

export const PRIVACY_PREFIX = '/api/privacy';

const deletionBody = z.object({
  password: z.string().min(1).max(200),
  confirm: z.literal(true, { error: 'confirm must be true' }),
  members: z.enum(['refuse', 'delete']).default('refuse'),
});

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
  router.use(apiRefusals({ message: privacyMessage, exposedDetails: ['members', 'retryAfterSeconds'], logMessage: 'data-rights request refused' }), deps.auth);

  router.get('/export', async (ctx) => {
    const accountId = accountOf(ctx);
    const data = await deps.exporter.export(accountId);
    await appendAudit(deps.db, { actorAccountId: accountId, action: 'privacy.data_exported', details: { format: data.format, version: data.version } });
    ctx.set('Content-Disposition', `attachment; filename="pass-data-${data.generated_at.slice(0, 10)}.json"`);
    noStore(ctx, data);
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

  router.post('/deletion', jsonBody, async (ctx) => {
    const accountId = accountOf(ctx);
    const parsed = deletionBody.safeParse(ctx.request.body ?? {});
    if (!parsed.success) {
      const confirmMissing = parsed.error.issues.some((i) => i.path[0] === 'confirm');
      throw new InvalidInputError(confirmMissing ? 'confirmation_required' : 'invalid_request', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    }
    const result = await deps.deletion.delete(accountId, { password: parsed.data.password, members: parsed.data.members });
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
