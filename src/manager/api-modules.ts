/**
 * The Manager's back end is a list of API modules, each owning a path under /api/manager and its
 * own folder (history, alerts, guardian here; part 2 adds admin/, analytics/, shelters/):
 *
 *   export const kioskAdminApi: ManagerApiModule = {
 *     name: 'admin',
 *     async start({ platform, guard }) {
 *       const router = new Router({ prefix: `${MANAGER_API_PREFIX}/admin` });
 *       router.use(...guard);                 // token (scope `manager`) + staff principal + refusals
 *       router.get('/facilities/:id/kiosks', async (ctx) => {
 *         const facility = facilityOf(staffOf(ctx), String(ctx.params.id));   // 403 unless permitted
 *         …
 *       });
 *       return { routers: [router] };
 *     },
 *   };
 *
 * Every query of personal data takes its facilities from the principal (staff-scope.ts:
 * facilityOf / facilitiesFor) and is audited (src/audit/audit-log.ts, `manager.<verb>` actions).
 */
import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Platform } from '../platform.ts';
import type { OidcModule } from '../oidc/oidc-module.ts';
import type { ReadinessCheck } from '../http/health.ts';
import type { StaffService } from '../staff/staff-service.ts';
import type { StaffScope } from './staff-scope.ts';
import type { KioskStore } from '../kiosk/kiosk-store.ts';
import type { CheckinService } from '../checkins/checkin-service.ts';
import type { AlertThumbnails } from './alerts/evidence-capability.ts';
import { historyApi } from './history/routes.ts';
import { alertsApi } from './alerts/routes.ts';
import { guardianApi } from './guardian/routes.ts';
import { adminApi } from './admin/module.ts';
import { analyticsApi } from './analytics/module.ts';
import { sheltersApi } from './shelters/module.ts';
import { overviewApi } from './overview/module.ts';
import { preregistrationsApi } from './preregistrations/routes.ts';

export interface ManagerApiDeps {
  platform: Platform;
  oidc: OidcModule;
  staff: StaffService;
  scope: StaffScope;
  /** Put in front of every Manager route: the refusal edge, the token guard (scope `manager`), the staff principal. */
  guard: Middleware[];
  /** The kiosk capability's kiosks, which staff approve and revoke. */
  kiosks: KioskStore;
  /** The kiosk capability's check-ins: what staff may see of whoever checked in. */
  checkins: CheckinService;
  /** The refused check-ins' thumbnails and each facility's alert settings. */
  alertThumbnails: AlertThumbnails;
}

export interface ManagerApiParts {
  routers: Router[];
  readiness?: ReadinessCheck[];
  /** Shutdown begins: end event streams. */
  drain?(): void;
  stop?(): Promise<void>;
}

export interface ManagerApiModule {
  name: string;
  start(deps: ManagerApiDeps): Promise<ManagerApiParts>;
}

/** Part 2 adds its modules here. */
export const MANAGER_API_MODULES: ManagerApiModule[] = [historyApi, alertsApi, guardianApi, adminApi, analyticsApi, sheltersApi, overviewApi, preregistrationsApi];
