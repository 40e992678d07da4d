import Router from '@koa/router';

export interface CheckResult {
  ok: boolean;
  detail?: string;
  /**
   * A failing non-critical check reports `unavailable` (the feature is off); one that sets this
   * reports `degraded` (the feature runs but refuses for now, e.g. proofing on a stale CRL).
   */
  degraded?: boolean;
}

export interface ReadinessCheck {
  name: string;
  /** A failing critical check makes /readyz answer 503; others only report. */
  critical: boolean;
  check(): Promise<CheckResult>;
}

const CHECK_TIMEOUT_MS = 2000;

async function run(check: ReadinessCheck): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ ok: boolean; detail: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: 'timed out' }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check.check(), timeout]);
  } catch (error) {
    return { ok: false, detail: (error as NodeJS.ErrnoException).code ?? 'failed' };
  } finally {
    clearTimeout(timer);
  }
}

function statusOf(check: ReadinessCheck, result: CheckResult): 'ok' | 'down' | 'degraded' | 'unavailable' {
  if (result.ok) return 'ok';
  if (check.critical) return 'down';
  return result.degraded ? 'degraded' : 'unavailable';
}

/** `/healthz`: the process answers. `/readyz`: it can serve (database, Redis) and what is degraded. */
export function healthRoutes(checks: ReadinessCheck[]): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const results = await Promise.all(checks.map(async (c) => [c, await run(c)] as const));
    const ready = results.every(([c, r]) => r.ok || !c.critical);
    ctx.set('Cache-Control', 'no-store');
    ctx.status = ready ? 200 : 503;
    if (!ready) ctx.set('Retry-After', '5');
    ctx.body = {
      status: ready ? 'ready' : 'unavailable',
      checks: Object.fromEntries(
        results.map(([c, r]) => [c.name, { status: statusOf(c, r), ...(r.detail ? { detail: r.detail } : {}) }]),
      ),
    };
  });
  return router;
}
