/**
 * The HTTP side of metrics: one latency histogram and one counter for every request, labelled by
 * the route pattern that matched (never the raw path: no ids, codes or tokens), the method and the
 * status class; and GET /metrics, the Prometheus text format, for whoever the configuration lets
 * read it (metricsAccess).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Config } from '../config/load-config.ts';
import { LATENCY_BUCKETS, type Metrics, type Scrape } from '../core/metrics.ts';

declare module 'koa' {
  interface DefaultState {
    /** The route label of a request no router matched by pattern (static files, /metrics). */
    route?: string;
  }
}

export const METRICS_PATH = '/metrics';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A label from a fixed set: a method nobody uses is `other`, not a new series. */
const methodLabel = (method: string) => (METHODS.has(method) ? method : 'other');

const statusClass = (status: number) => `${Math.min(5, Math.max(1, Math.floor(status / 100)))}xx`;

/**
 * The route pattern the request matched: a capability's @koa/router route (`/api/kiosk/checkins/:id`),
 * oidc-provider's own (`/auth/:uid`), a label a handler set (`/static/*`), or `unmatched` (404s of
 * unknown paths, whatever they were).
 */
export function routeLabel(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
  return ctx.state.route ?? (matched === undefined ? 'unmatched' : String(matched));
}

/** Times every request; put it before the error handler, so a thrown error is counted with the status it is answered with. */
export function httpMetrics(metrics: Metrics): Middleware {
  const labelNames = ['method', 'route', 'status_class'] as const;
  const duration = metrics.histogram({
    name: 'pass_http_request_duration_seconds',
    help: 'Time from a request reaching PASS to its response being handed to Node (streamed bodies not included), by route pattern, method and status class',
    labelNames,
    buckets: LATENCY_BUCKETS,
  });
  const requests = metrics.counter({ name: 'pass_http_requests_total', help: 'HTTP requests answered, by route pattern, method and status class', labelNames });
  return async (ctx, next) => {
    const started = performance.now();
    let status: number | undefined;
    try {
      await next();
    } catch (error) {
      status = (error as { status?: number }).status ?? 500;
      throw error;
    } finally {
      const labels = { method: methodLabel(ctx.method), route: routeLabel(ctx), status_class: statusClass(status ?? ctx.status) };
      duration.observe(labels, (performance.now() - started) / 1000);
      requests.inc(labels);
    }
  };
}

/**
 * Who may read /metrics. The series name no person, but they show how PASS is used (check-ins per
 * method and result, refusals, load), so they are not public:
 * - `token`: METRICS_TOKEN as a bearer token, from anywhere (the production setting);
 * - `open`: anyone who reaches the port (METRICS_OPEN=true, for a port only a private network reaches);
 * - `loopback`: outside production without either, a scraper on the same machine, not through a proxy;
 * - `off`: in production without either. Loopback is no boundary there: a reverse proxy on the
 *   same machine makes every visitor's request come from loopback.
 */
export type MetricsAccess = { kind: 'token'; token: string } | { kind: 'open' } | { kind: 'loopback' } | { kind: 'off' };

export function metricsAccess(config: Pick<Config, 'production' | 'metrics'>): MetricsAccess {
  if (config.metrics.token) return { kind: 'token', token: config.metrics.token };
  if (config.metrics.open) return { kind: 'open' };
  return config.production ? { kind: 'off' } : { kind: 'loopback' };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function bearerMatches(header: string, token: string): boolean {
  const given = /^Bearer ([^\s]+)$/i.exec(header)?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

/** The peer of the connection itself (never X-Forwarded-For) is on this machine, and no proxy passed the request on. */
function fromLoopback(ctx: Context): boolean {
  return LOOPBACK.test(ctx.req.socket.remoteAddress ?? '') && !FORWARDED.some((name) => ctx.get(name) !== '');
}

function refuse(ctx: Context, status: 401 | 403, message: string): void {
  ctx.status = status;
  if (status === 401) ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = `${message}\n`;
}

/** GET /metrics: the Prometheus text format of `scrape` (this process's series, or the whole node's). */
export function metricsEndpoint(access: MetricsAccess, scrape: () => Promise<Scrape>): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== METRICS_PATH || access.kind === 'off') return next();
    ctx.state.route = METRICS_PATH;
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      return;
    }
    if (access.kind === 'token' && !bearerMatches(ctx.get('Authorization'), access.token)) return refuse(ctx, 401, 'a valid METRICS_TOKEN bearer token is required');
    if (access.kind === 'loopback' && !fromLoopback(ctx)) return refuse(ctx, 403, '/metrics answers only on this machine; set METRICS_TOKEN to scrape from elsewhere');
    try {
      const { contentType, body } = await scrape();
      ctx.type = contentType;
      ctx.body = body;
    } catch (error) {
      ctx.state.log.warn({ err: error }, 'metrics scrape failed');
      ctx.status = 503;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'metrics unavailable, try again\n';
    }
  };
}
