/**
 * PASS Manager's home: today's check-ins by method and result, the open alerts and each kiosk's
 * state, from /api/manager/overview (which keeps to the staff member's facilities). The home still
 * opens when the figures cannot be had: it says so and keeps the menu.
 */
import type { Overview } from '../../src/manager/overview/overview-service.ts';
import { METHOD_LABELS, RESULT_LABELS, label } from '../../src/manager/labels.ts';
import type { StaffRequest } from './sections.ts';

export async function homeLocals(staff: StaffRequest): Promise<Record<string, unknown>> {
  const answer = await staff.api.get<Overview>('/api/manager/overview').catch(() => undefined);
  const when = (iso: string | null) =>
    iso ? new Intl.DateTimeFormat(staff.lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Asia/Tokyo' }).format(new Date(iso)) : staff.t('home.kiosks.never');
  return {
    section: 'home',
    styles: ['manage.css'],
    overview: answer?.ok ? answer.body : null,
    overviewError: answer?.ok ? null : answer ? staff.api.refusal(answer, staff.t('home.figures.unavailable')) : staff.t('home.figures.unavailable'),
    methodLabel: (m: string) => label(METHOD_LABELS, m, staff.lang),
    resultLabel: (r: string) => label(RESULT_LABELS, r, staff.lang),
    when,
  };
}
