/**
 * Pending pre-registrations (issue 16): the household members their representative named in the
 * PASS app, who are to finish proofing at a kiosk with their My Number Card within 24 hours. Staff of
 * the municipality see who to expect and until when, to help at the kiosk; read-only (the
 * representative cancels, the member completes). The API scopes the list and records each view.
 */
import Router from '@koa/router';
import { japanTime } from '../../../src/manager/labels.ts';
import type { ManagerEnv, ManagerSection } from '../sections.ts';
import { PREREGISTRATION_MESSAGES } from './messages.ts';

interface PendingView {
  id: string;
  relation: string;
  name: string;
  birthdate: string;
  state: 'pending' | 'expired';
  created_at: string;
  expires_at: string;
}

function routes(env: ManagerEnv): Router {
  const router = new Router();
  router.get('/', async (ctx) => {
    const { api, t } = env.staff(ctx);
    const answer = await api.get<{ preregistrations: PendingView[] }>('/api/manager/preregistrations');
    await env.render(ctx, 'preregistrations/preregistrations', {
      section: 'preregistrations',
      rows: answer.ok ? answer.body.preregistrations : [],
      error: answer.ok ? null : api.refusal(answer, t('preregistrations.failed')),
      japanTime,
    });
  });
  return router;
}

export const preregistrationsSection: ManagerSection = {
  id: 'preregistrations',
  navKey: 'nav.preregistrations',
  path: '/preregistrations',
  roles: ['facility_staff', 'facility_admin', 'municipal_admin'],
  messages: PREREGISTRATION_MESSAGES,
  routes,
};
