/**
 * The section contract of PASS Manager (/manager). The console's shell (console-routes.ts) signs
 * staff in through PASS, refuses accounts without a staff assignment, draws the navigation and
 * the layout, and mounts every section listed in MANAGER_SECTIONS. A section is one screen or a
 * group of screens:
 *
 *   export const kiosksSection: ManagerSection = {
 *     id: 'kiosks',                       // unique; also the nav item's id (`nav-kiosks`)
 *     navKey: 'nav.kiosks',               // a key of `messages` (ja and en)
 *     path: '/kiosks',                    // mounted at /manager/kiosks
 *     roles: ['facility_admin', 'municipal_admin'],
 *     messages: KIOSK_MESSAGES,           // merged into the console's dictionary
 *     routes: (env) => {
 *       const router = new Router();      // paths relative to `path`: '/' is /manager/kiosks/
 *       router.get('/', async (ctx) => {
 *         const { principal, api } = env.staff(ctx);
 *         const answer = await api.get('/api/kiosk/admin/facilities/kaga-library/kiosks');
 *         await env.render(ctx, 'kiosks/list', { section: 'kiosks', kiosks: answer.body.kiosks });
 *       });
 *       router.post('/:id/revoke', env.form, async (ctx) => {
 *         if (!env.csrfOk(ctx)) return env.refuse(ctx, 403, 'error.csrf');
 *         …
 *         env.seeOther(ctx, '/manager/kiosks/');
 *       });
 *       return router;
 *     },
 *   };
 *
 * What the shell guarantees before a section's route runs: a signed-in session with a live
 * access token, a staff principal (at least one assignment), and one of the section's `roles`
 * (otherwise a 403 page; the nav hides the section too). What a section must still do itself:
 * check CSRF on every POST (`env.csrfOk`), and let the API decide per facility — the principal's
 * facility list is for drawing screens, the API (src/manager/staff-scope.ts) is what enforces.
 *
 * Views: clients/manager/views/<section>/<name>.ejs, starting with
 *   <%- await include('../layout/top') %>  and ending with  <%- await include('../layout/bottom') %>
 * (views directly under clients/manager/views use 'layout/top'). Locals the layout reads: `section` (the
 * current nav item), `notice` and `error` (text already in the page's language), and `title`
 * (default: the message `<view file name>.title`, e.g. 'list.title'). Every form
 * carries `<input type="hidden" name="csrf" value="<%= csrf %>">` (`csrf` is always a local);
 * fetches send it as the X-CSRF-Token header (the layout puts it in <meta name="csrf-token">).
 * The CSP allows no inline script or style: scripts and styles are files in
 * clients/manager/static/ (served at /manager/static/<name>, any .js/.css/.svg there), included
 * with `scripts: ['name.js']` in the render locals.
 *
 * Data: `env.staff(ctx).api` calls PASS's API with the session's access token (scopes in
 * MANAGER_SCOPES): the Manager's back end under /api/manager/... (src/manager/, its API modules in
 * src/manager/api-modules.ts), the kiosk staff API (/api/kiosk/admin/...) and relying-party
 * administration (/api/admin/...). A long-lived response (an event stream passed through from the
 * API) registers its end with `env.untilShutdown`, so it never holds the server's shutdown.
 */
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Lang, Messages } from '../../src/http/i18n.ts';
import type { StaffRole } from '../../src/staff/staff-service.ts';
import type { StaffPrincipal } from '../../src/manager/staff-scope.ts';
import type { ManagerApi } from './manager-api.ts';
import { historySection } from './history/section.ts';
import { alertsSection } from './alerts/section.ts';
import { guardianSection } from './guardian/section.ts';
import { facilitiesSection } from './admin/facilities-section.ts';
import { kiosksSection } from './admin/kiosks-section.ts';
import { clientsSection } from './admin/clients-section.ts';
import { staffSection } from './admin/staff-section.ts';
import { analyticsSection } from './analytics/section.ts';
import { sheltersSection } from './shelters/section.ts';
import { preregistrationsSection } from './preregistrations/section.ts';

export type { StaffPrincipal, ManagerApi };
export { MANAGER_BASE } from './paths.ts';

export interface ManagerSection {
  id: string;
  /** Message key of the navigation label. */
  navKey: string;
  /** Under /manager, starting with '/' (e.g. '/history'). */
  path: string;
  /** Who sees it and may open it: any one of these roles. */
  roles: readonly StaffRole[];
  /** The section's words, Japanese first; merged with the shell's (keys must not collide: prefix them with the id). */
  messages?: Messages;
  /** Called once at start; the router's paths are relative to `path`. */
  routes(env: ManagerEnv): Router;
}

/** What a request of a signed-in staff member carries (set by the shell). */
export interface StaffRequest {
  principal: StaffPrincipal;
  /** PASS's API with this session's access token. */
  api: ManagerApi;
  lang: Lang;
  t(key: string): string;
  /** The session's CSRF token for forms (field `csrf`) and fetches (header X-CSRF-Token). */
  csrf: string;
}

/** What the shell gives every section (one object for the whole console; per-request data through `staff(ctx)`). */
export interface ManagerEnv {
  issuer: string;
  /** The signed-in staff member of this request. */
  staff(ctx: Context): StaffRequest;
  /** Renders clients/manager/views/<view>.ejs in the console's layout (navigation, language switch, sign-out) in the staff member's language. */
  render(ctx: Context, view: string, locals?: Record<string, unknown>): Promise<void>;
  /** A page saying why not (status 4xx), in the layout; `messageKey` is a message key or text. */
  refuse(ctx: Context, status: number, messageKey: string): Promise<void>;
  /** Parses urlencoded forms (small bodies only). */
  form: Middleware;
  /** The form field `csrf` or the X-CSRF-Token header matches this session. */
  csrfOk(ctx: Context): boolean;
  /** Post/redirect/get: a 303. */
  seeOther(ctx: Context, location: string): void;
  /** Registers the end of a long-lived response (an event stream) for when shutdown begins; returns a function that unregisters it. */
  untilShutdown(end: () => void): () => void;
}

/** The navigation, in this order. Part 2 adds its sections here. */
export const MANAGER_SECTIONS: ManagerSection[] = [
  historySection,
  alertsSection,
  guardianSection,
  preregistrationsSection,
  sheltersSection,
  analyticsSection,
  facilitiesSection,
  kiosksSection,
  clientsSection,
  staffSection,
];
