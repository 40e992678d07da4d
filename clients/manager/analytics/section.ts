/**
 * /manager/analytics: check-ins per day and per hour, the share of each method, residents and
 * non-residents, registrations over time — for one facility of the staff member or all of them,
 * over a date range — as server-drawn SVG charts, each with its numbers in a table beside it.
 * /manager/analytics/report is the same as a printable report (the print stylesheet drops the
 * console around it).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Lang } from '../../../src/http/i18n.ts';
import type { AnalyticsReport } from '../../../src/manager/analytics/analytics-service.ts';
import { METHOD_LABELS, japanTime } from '../../../src/manager/labels.ts';
import type { ManagerSection, StaffRequest } from '../sections.ts';
import { STYLES, fill, refusal } from '../admin/page-kit.ts';
import { barChart, lineChart, shareChart } from './charts.ts';
import { ANALYTICS_MESSAGES } from './messages.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function query(ctx: Context): Record<string, string | undefined> {
  const pick = (name: string, pattern: RegExp) => (typeof ctx.query[name] === 'string' && pattern.test(ctx.query[name] as string) ? (ctx.query[name] as string) : undefined);
  return { from: pick('from', DAY), to: pick('to', DAY), facility: pick('facility', /^[a-z0-9-]{3,64}$/) };
}

function busiest<T>(items: readonly T[], value: (t: T) => number): T | undefined {
  return items.reduce<T | undefined>((best, item) => (value(item) > (best ? value(best) : 0) ? item : best), undefined);
}

/** The charts of a report, in the staff member's language. */
export function chartsOf(report: AnalyticsReport, staff: Pick<StaffRequest, 't' | 'lang'>) {
  const t = staff.t;
  const lang: Lang = staff.lang;
  const count = (n: number) => fill(t('analytics.unit'), String(n));
  const share = (n: number, total: number) => (total ? Math.round((n / total) * 1000) / 10 : 0);
  const peakDay = busiest(report.perDay, (d) => d.checkins);
  const peakHour = busiest(report.perHour, (h) => h.checkins);
  const methods = report.byMethod.map((m) => ({ label: METHOD_LABELS[m.method]?.[lang] ?? m.method, value: m.checkins }));
  const residency = [
    { label: t('analytics.resident'), value: report.residency.resident },
    { label: t('analytics.nonResident'), value: report.residency.nonResident },
    { label: t('analytics.unknown'), value: report.residency.unknown },
  ];
  const methodTotal = methods.reduce((s, m) => s + m.value, 0);
  const residencyTotal = residency.reduce((s, m) => s + m.value, 0);
  const shortDay = (day: string) => (lang === 'ja' ? `${Number(day.slice(5, 7))}/${Number(day.slice(8))}` : `${day.slice(8)}/${day.slice(5, 7)}`);
  return {
    perDay: barChart(
      {
        id: 'chart-day',
        title: t('analytics.perDay'),
        desc: peakDay ? fill(t('analytics.desc.perDay'), String(report.totals.checkins), peakDay.day, String(peakDay.checkins)) : t('analytics.desc.perDay.none'),
        count,
      },
      report.perDay.map((d) => ({ label: d.day, value: d.checkins })),
      { axisLabel: (p) => shortDay(p.label) },
    ),
    perHour: barChart(
      {
        id: 'chart-hour',
        title: t('analytics.perHour'),
        desc: peakHour ? fill(t('analytics.desc.perHour'), String(peakHour.hour), String(peakHour.checkins)) : t('analytics.desc.perDay.none'),
        count,
      },
      report.perHour.map((h) => ({ label: fill(t('analytics.hourLabel'), String(h.hour)), value: h.checkins })),
      { axisLabel: (_p, i) => String(i) },
    ),
    byMethod: shareChart({ id: 'chart-method', title: t('analytics.byMethod'), desc: `${fill(t('analytics.desc.share'), count(methodTotal))} ${methods.map((m) => `${m.label} ${count(m.value)} (${share(m.value, methodTotal)}%)`).join(', ')}`, count }, methods),
    residency: shareChart(
      { id: 'chart-residency', title: t('analytics.residency'), desc: `${fill(t('analytics.desc.share'), count(residencyTotal))} ${residency.map((m) => `${m.label} ${count(m.value)} (${share(m.value, residencyTotal)}%)`).join(', ')}`, count },
      residency,
    ),
    registrations: lineChart(
      { id: 'chart-registrations', title: t('analytics.registrations'), desc: fill(t('analytics.desc.registrations'), String(report.totals.registered), String(report.totals.withdrawn)), count },
      report.registrations.map((r) => r.day),
      [
        { name: t('analytics.registered'), values: report.registrations.map((r) => r.registered) },
        { name: t('analytics.withdrawn'), values: report.registrations.map((r) => r.withdrawn) },
      ],
      { axisLabel: shortDay },
    ),
    methods: methods.map((m) => ({ ...m, share: share(m.value, methodTotal) })),
    residencyRows: residency.map((m) => ({ ...m, share: share(m.value, residencyTotal) })),
  };
}

export const analyticsSection: ManagerSection = {
  id: 'analytics',
  navKey: 'analytics.nav',
  path: '/analytics',
  roles: ['facility_staff', 'facility_admin', 'municipal_admin'],
  messages: ANALYTICS_MESSAGES,
  routes(env) {
    const router = new Router();

    async function page(ctx: Context, view: string, titleKey: string, printable: boolean): Promise<void> {
      const staff = env.staff(ctx);
      const asked = query(ctx);
      const answer = await staff.api.get<AnalyticsReport>('/api/manager/analytics', asked);
      if (!answer.ok) return env.refuse(ctx, answer.status, refusal(staff, answer));
      const report = answer.body;
      const params = new URLSearchParams({ from: report.range.from, to: report.range.to, ...(asked.facility ? { facility: asked.facility } : {}) });
      await env.render(ctx, view, {
        title: staff.t(titleKey),
        styles: STYLES,
        scripts: printable ? ['manage-print.js'] : [],
        section: 'analytics',
        report,
        charts: chartsOf(report, staff),
        facilities: staff.principal.facilities,
        facility: asked.facility ?? '',
        reportHref: `/manager/analytics/report?${params}`,
        backHref: `/manager/analytics/?${params}`,
        madeAt: japanTime(new Date()),
        fill,
      });
    }

    router.get('/', (ctx) => page(ctx, 'analytics/analytics', 'analytics.title', false));
    router.get('/report', (ctx) => page(ctx, 'analytics/report', 'analytics.report.title', true));
    return router;
  },
};
