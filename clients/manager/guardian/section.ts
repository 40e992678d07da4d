/**
 * Guardian lookup: the children at the facility now whose guardian can be reached, and, on an
 * explicit button press (a POST, so a prefetch or a reload never reads someone's contact), the
 * guardian's name and contact. The API checks consent and records every lookup.
 */
import Router from '@koa/router';
import type { GuardianAnswer, GuardianCandidate } from '../../../src/manager/guardian/guardian-service.ts';
import { japanTime } from '../../../src/manager/labels.ts';
import { e164ToDisplay } from '../../../src/identity/phone.ts';
import type { ManagerEnv, ManagerSection } from '../sections.ts';
import { GUARDIAN_MESSAGES } from './messages.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FACILITY = /^[a-z0-9-]{3,64}$/;

function routes(env: ManagerEnv): Router {
  const router = new Router();

  router.get('/', async (ctx) => {
    const { api, t } = env.staff(ctx);
    const facility = typeof ctx.query.facility === 'string' && FACILITY.test(ctx.query.facility) ? ctx.query.facility : undefined;
    // From a history row: that one check-in, still behind the button.
    const checkin = typeof ctx.query.checkin === 'string' && UUID.test(ctx.query.checkin) ? ctx.query.checkin : undefined;
    const answer = checkin ? undefined : await api.get<{ candidates: GuardianCandidate[] }>('/api/manager/guardians/candidates', { facility });
    if (answer?.status === 403) return env.refuse(ctx, 403, api.refusal(answer, t('refused.facility')));
    await env.render(ctx, 'guardian/guardian', {
      section: 'guardian',
      facility,
      checkin,
      candidates: answer?.ok ? answer.body.candidates : [],
      error: answer && !answer.ok ? api.refusal(answer, t('error.unavailable')) : null,
      japanTime,
    });
  });

  router.post('/lookup', env.form, async (ctx) => {
    const { api, t } = env.staff(ctx);
    if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
    const checkin = (ctx.request.body as Record<string, unknown>).checkin;
    if (typeof checkin !== 'string' || !UUID.test(checkin)) return env.refuse(ctx, 400, 'error.notfound');
    const answer = await api.get<GuardianAnswer>(`/api/manager/checkins/${checkin}/guardian`);
    if (!answer.ok) {
      const status = answer.status === 403 || answer.status === 404 ? answer.status : 400;
      await env.render(ctx, 'guardian/guardian-result', { section: 'guardian', found: null, error: api.refusal(answer, t('guardian.failed')), japanTime, phone: e164ToDisplay });
      ctx.status = status;
      return;
    }
    await env.render(ctx, 'guardian/guardian-result', { section: 'guardian', found: answer.body, notice: t('guardian.recorded'), japanTime, phone: e164ToDisplay });
  });

  return router;
}

export const guardianSection: ManagerSection = {
  id: 'guardian',
  navKey: 'nav.guardian',
  path: '/guardian',
  roles: ['facility_staff', 'facility_admin', 'municipal_admin'],
  messages: GUARDIAN_MESSAGES,
  routes,
};
