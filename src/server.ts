import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { Config } from './config/load-config.ts';
import { createLogger, type Logger } from './core/logger.ts';
import { openPlatform, type Platform } from './platform.ts';
import { createOidcModule, KEYS_CHANNEL, type OidcModule } from './oidc/oidc-module.ts';
import { purgeExpired } from './oidc/adapter/purger.ts';
import { seedDemoData } from './demo/seed.ts';
import { notFoundPage } from './http/not-found-page.ts';
import { errorHandler } from './http/errors.ts';
import { isOutage } from './db/outage.ts';
import { healthRoutes, type ReadinessCheck } from './http/health.ts';
import { openApiRoutes } from './http/openapi/routes.ts';
import { requestContext } from './http/request-context.ts';
import { securityHeaders } from './http/security-headers.ts';
import { CookieKeys } from './http/cookie-keys.ts';
import { staticFiles } from './http/static-files.ts';
import { httpMetrics, metricsAccess, metricsEndpoint } from './http/metrics.ts';
import { nodeScrapeFromWorker } from './core/metrics.ts';
import { CAPABILITIES } from './capabilities.ts';
import type { CapabilityFactory, Provisions } from './capability.ts';
import { checkOrder, startCapabilities, stopCapabilities, type Composition } from './composition.ts';

/**
 * oidc-provider's machine-to-machine endpoints: no capability serves these paths, so requests to
 * them (the hot path of every relying party and kiosk) skip the capabilities' routers.
 */
const PROTOCOL_ENDPOINTS = new Set([
  '/token',
  '/token/introspection',
  '/token/revocation',
  '/jwks',
  '/me',
  '/request',
  '/device/auth',
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
]);

function compose(middleware: Koa.Middleware[]): Koa.Middleware {
  return (ctx, next) => {
    const dispatch = (index: number): Promise<unknown> => {
      const fn = index === middleware.length ? next : middleware[index];
      return fn ? Promise.resolve(fn(ctx, () => dispatch(index + 1) as Promise<void>)) : Promise.resolve();
    };
    return dispatch(0);
  };
}

/** The authorization endpoint and its resume URLs (`/auth/<uid>`): also oidc-provider's alone. */
const isAuthorizationPath = (path: string) => path === '/auth' || path.startsWith('/auth/');

function skipFor(paths: Set<string>, middleware: Koa.Middleware): Koa.Middleware {
  return (ctx, next) => (paths.has(ctx.path) || isAuthorizationPath(ctx.path) ? next() : middleware(ctx, next));
}

export interface PassServer {
  url: string;
  server: http.Server;
  platform: Platform;
  oidc: OidcModule;
  /** What the capabilities provided, by name (tests and development tools reach the running parts here). */
  provided: Partial<Provisions>;
  /** Stops taking connections, lets requests in flight finish, then releases the database. */
  close(): Promise<void>;
}

function readinessChecks(platform: Platform): ReadinessCheck[] {
  const { db, redis } = platform;
  const checks: ReadinessCheck[] = [
    { name: 'database', critical: true, check: async () => (await db.raw('select 1'), { ok: true, detail: platform.dbInfo.kind }) },
  ];
  if (redis) checks.push({ name: 'redis', critical: true, check: async () => ({ ok: (await redis.ping()) === 'PONG' }) });
  return checks;
}

function startPurger(platform: Platform): NodeJS.Timeout {
  const timer = setInterval(() => {
    Promise.all([purgeExpired(platform.db), platform.keys.deleteExpired()])
      .then(([records, keys]) => {
        if (records || keys) platform.log.info({ records, keys }, 'purged expired records');
      })
      .catch((error: unknown) => platform.log.warn({ err: error }, 'purge failed'));
  }, platform.config.purgeIntervalSeconds * 1000);
  timer.unref();
  return timer;
}

function trackInFlight(server: http.Server): () => number {
  let inFlight = 0;
  server.on('request', (_req, res) => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
    });
  });
  return () => inFlight;
}

export interface StartOptions {
  /** Seed demo data (when configured). Cluster workers leave it to the primary. */
  seed?: boolean;
  /**
   * The capabilities to start, in order: the provider's own by default. The all-in-one PASS
   * (clients/main.ts) adds the first-party clients after them.
   */
  capabilities?: readonly CapabilityFactory[];
  /**
   * This process is a cluster worker (PASS_WORKERS > 1): its /metrics serves the whole node's
   * series, gathered by the primary (src/run.ts), rather than its own.
   */
  clusterWorker?: boolean;
}

export async function startServer(config: Config, log: Logger = createLogger(config.logLevel), options: StartOptions = {}): Promise<PassServer> {
  const factories = options.capabilities ?? CAPABILITIES;
  // A wrong order is a mistake in the code: say so before touching the database.
  checkOrder(factories);
  const platform = await openPlatform(config, log, 'require');
  platform.metrics.collectProcessMetrics();
  let oidc: OidcModule;
  let composition: Composition | undefined;
  try {
    oidc = await createOidcModule(platform, (provider) => {
      provider.on('server_error', (ctx: Koa.Context, error: Error) => {
        // An outage the guards did not see (src/oidc/outage.ts): the error handler answers 503 instead.
        if (isOutage(error)) {
          ctx.state.outage = true;
          ctx.state.log?.warn({ err: error, path: ctx.path }, 'backing service unavailable');
          return;
        }
        ctx.state.log?.error({ err: error }, 'oidc server error');
      });
    });
    if (config.demoData && options.seed !== false) {
      const report = await seedDemoData(platform, oidc.clients);
      if (report.clientsCreated.length || report.accountsCreated.length) log.info(report, 'demo data seeded');
    }
    composition = await startCapabilities(factories, platform, oidc);
    await oidc.host.start();
    await platform.bus.subscribe(KEYS_CHANNEL, () => {
      oidc.host.reloadIfChanged().catch((error: unknown) => log.error({ err: error }, 'signing key reload failed'));
    });
  } catch (error) {
    if (composition) await stopCapabilities(composition.capabilities);
    await platform.close();
    throw error;
  }

  const app = new Koa({ proxy: config.trustProxy });
  app.keys = new CookieKeys(config.cookieKeys) as unknown as string[];
  app.silent = true;
  app.use(requestContext(log));
  app.use(httpMetrics(platform.metrics));
  app.use(securityHeaders(config.issuer.startsWith('https://')));
  app.use(errorHandler());
  const metrics = metricsAccess(config);
  app.use(metricsEndpoint(metrics, options.clusterWorker ? nodeScrapeFromWorker(platform.metrics) : () => platform.metrics.scrape()));
  app.use(staticFiles());
  app.use(notFoundPage());
  const { capabilities, provided } = composition;
  const health = healthRoutes([...readinessChecks(platform), ...capabilities.flatMap((c) => c.readiness ?? [])]);
  app.use(health.routes());
  app.use(openApiRoutes({ issuer: config.issuer, production: config.production }).routes());
  app.use(skipFor(PROTOCOL_ENDPOINTS, compose(capabilities.flatMap((c) => c.middleware ?? []))));
  app.use(oidc.host.middleware);

  const server = http.createServer(app.callback());
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 65_000;
  const inFlight = trackInFlight(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const purger = startPurger(platform);
  log.info({ issuer: config.issuer, port, database: platform.dbInfo, redis: Boolean(platform.redis), metrics: metrics.kind }, 'PASS started');

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    platform,
    oidc,
    provided,
    close() {
      closing ??= (async () => {
        clearInterval(purger);
        oidc.host.stop();
        const deadline = Date.now() + config.shutdownTimeoutSeconds * 1000;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        for (const capability of capabilities) capability.drain?.();
        while (inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        server.closeAllConnections();
        await closed;
        await stopCapabilities(capabilities);
        await platform.close();
        log.info('PASS stopped');
      })();
      return closing;
    },
  };
}
