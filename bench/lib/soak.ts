/**
 * The soak (issue #10): mixed load — sign-ins, refreshes, client_credentials + introspection, kiosk
 * check-ins — against two PASS nodes behind the test proxy, on a private PostgreSQL and Redis, while
 * every few seconds it samples each node's RSS and V8 heap and the database (pg_database_size, row
 * counts of the tables that grow). It fails when something grows without bound: a least-squares
 * line through the last half of the run must stay under a slope (see LIMITS for why those slopes).
 *
 * Lifetimes are shortened (grants, refresh tokens, sessions, client_credentials tokens: a fifth of
 * the run, at least 20 s; purge every 10-20 s) so that records that expire reach their steady state
 * inside the run: a missing purge or a leak then shows as a slope. Check-ins and authentication
 * events are kept by design; they are judged per operation instead.
 */
import { readFile, readdir, rm, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startDeployment, type Deployment } from '../../test/reliability/fixture.ts';
import { Recorder, startLoad, type OperationKind } from '../../test/reliability/load.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const MB = 1024 * 1024;

export interface SoakOptions {
  seconds: number;
  nodes?: number;
  log?: (line: string) => void;
}

export interface Sample {
  /** Seconds since the load started. */
  t: number;
  nodes: Array<{ rssMb: number; heapUsedMb: number; handles: number }>;
  dbMb: number;
  rows: Record<string, number>;
  redisMb: number;
  /** Successful operations so far, per kind. */
  ops: Record<OperationKind, number>;
}

export interface Check {
  label: string;
  value: number;
  limit: number;
  unit: string;
  ok: boolean;
}

export interface SoakResult {
  ok: boolean;
  seconds: number;
  samples: Sample[];
  /** Per node: [seconds since the load started, live heap MB after a full collection]. */
  heapAfterGc: Array<Array<[number, number]>>;
  checks: Check[];
  load: Record<string, unknown>;
  notes: string[];
}

/**
 * What may grow, and by how much, once the first third of the run (warm-up: JIT, caches, pools,
 * records accumulating up to their lifetime) is over.
 * - Live heap: the heap right after each full collection (V8's Mark-Compact, from --trace-gc) is
 *   what the process really holds; a least-squares line through those points must rise less than
 *   1 MB/min. Each node served 25-65 requests/s in the runs on the 2-core machine, so a leak of
 *   1 kB per request would be 1.5-4 MB/min; sampled heap sizes swing by ~100 MB between
 *   collections and cannot be fitted.
 * - RSS: a sawtooth (V8 grows its spaces to 320-410 MB, then gives ~150 MB back), so no line fits it
 *   either; its peak in the last third may exceed the peak of the middle third by at most 24 MB.
 * - libuv handles (sockets, timers): at most 10 more at the peak of the last third.
 * - Records that expire (oidc_payloads, qr_token_uses): at the end, no more rows than the operations
 *   of their last lifetime can have made (a sign-in makes a grant and a refresh token, a refresh one
 *   refresh token; a QR check-in one use). The load's rate varies with what else the machine does,
 *   so the count is judged against the operations, not against time; without the purger it would
 *   be all the records of the run, several times the bound.
 * - The database file grows by the records kept by design (check-ins, authentication events); by
 *   more than 1 kB per such record, at most 1 MB/min (the last half's slope).
 * The short run (CI, 60 s) is mostly warm-up: it only catches gross growth.
 */
export const LIMITS = {
  full: { heapAfterGcMbPerMin: 1, rssPeakGrowthMb: 24, handlesGrowth: 10, dbMbPerMin: 1 },
  short: { heapAfterGcMbPerMin: 60, rssPeakGrowthMb: 200, handlesGrowth: 10, dbMbPerMin: 8 },
};
/** How long a QR code's use is kept: its 30 s, 5 s of clock tolerance, then 60 s (src/checkins/qr-tokens.ts). */
const QR_USE_LIFETIME_SECONDS = 95;

const MARK_COMPACT = /Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(/g;

/** Least-squares slope of y over x. */
export function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}


async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** The node's V8 heap and libuv handles, from a diagnostic report it writes on SIGUSR2. */
async function heapOf(pid: number, dir: string): Promise<{ heapUsedMb: number; handles: number }> {
  const mine = async () => (await readdir(dir)).filter((f) => f.includes(`.${pid}.`) && f.endsWith('.json'));
  for (const old of await mine()) await rm(path.join(dir, old), { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100; i += 1) {
    await sleep(30);
    const [file] = await mine();
    if (!file) continue;
    try {
      const report = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as { javascriptHeap: { usedMemory: number }; libuv: unknown[] };
      await rm(path.join(dir, file), { force: true });
      return { heapUsedMb: report.javascriptHeap.usedMemory / MB, handles: report.libuv.length };
    } catch {
      // Still being written.
    }
  }
  return { heapUsedMb: Number.NaN, handles: Number.NaN };
}

const TRANSIENT_TABLES = ['oidc_payloads', 'qr_token_uses'];
const DURABLE_TABLES = ['checkins', 'authentication_events'];

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => {});
  const short = options.seconds < 300;
  const limits = short ? LIMITS.short : LIMITS.full;
  const ttl = Math.max(20, Math.round(options.seconds / 5));
  const purge = short ? 10 : 20;
  const sampleEvery = short ? 3 : 5;
  const reports = await mkdtemp(path.join(os.tmpdir(), 'pass-soak-reports-'));
  let started = Date.now();
  const heapAfterGc: Array<Array<[number, number]>> = [];
  const partial: string[] = [];
  const deployment: Deployment = await startDeployment({
    nodeArgs: ['--trace-gc'],
    onOutput: (node, chunk) => {
      // Whole lines only: a chunk may end in the middle of one.
      const lines = ((partial[node] ?? '') + chunk).split('\n');
      partial[node] = lines.pop()!;
      for (const line of lines) for (const match of line.matchAll(MARK_COMPACT)) (heapAfterGc[node] ??= []).push([(Date.now() - started) / 1000, Number(match[1])]);
    },
    nodes: options.nodes ?? 2,
    kiosks: 3,
    residents: 4,
    env: {
      GRANT_TTL_SECONDS: String(ttl),
      REFRESH_TOKEN_TTL_SECONDS: String(ttl),
      SESSION_TTL_SECONDS: String(ttl),
      CLIENT_CREDENTIALS_TTL_SECONDS: String(ttl),
      PURGE_INTERVAL_SECONDS: String(purge),
      NODE_OPTIONS: `--report-on-signal --report-signal=SIGUSR2 --report-compact --report-directory=${reports}`,
    },
  });
  const db = new pg.Client({ connectionString: deployment.env.DATABASE_URL });
  await db.connect();
  const redis = new Redis(deployment.env.REDIS_URL!, { lazyConnect: true });
  await redis.connect();
  const rec = new Recorder();
  const samples: Sample[] = [];
  try {
    log(`soak: ${options.seconds} s, ${deployment.nodes.length} nodes, lifetimes ${ttl} s, purge every ${purge} s, a sample every ${sampleEvery} s`);
    const load = startLoad(rec, deployment, { loginWorkers: 1, machineWorkers: 1, refreshWorkers: 2, pauseMs: 50, kioskPaceMs: 300 });
    started = Date.now();
    for (const series of heapAfterGc) series?.splice(0);
    const end = started + options.seconds * 1000;
    const tables = [...TRANSIENT_TABLES, ...DURABLE_TABLES];
    while (Date.now() < end) {
      const at = Date.now();
      const nodes = [];
      for (const node of deployment.nodes) nodes.push({ rssMb: await rssMb(node.pid), ...(await heapOf(node.pid, reports)) });
      const dbBytes = Number((await db.query('select pg_database_size(current_database()) as n')).rows[0].n);
      const rows: Record<string, number> = {};
      for (const table of tables) rows[table] = Number((await db.query(`select count(*)::int as n from ${table}`)).rows[0].n);
      const usedMemory = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? Number.NaN);
      const ops = { login: rec.succeeded('login'), machine: rec.succeeded('machine'), refresh: rec.succeeded('refresh'), checkin: rec.succeeded('checkin') };
      const sample: Sample = { t: (at - started) / 1000, nodes, dbMb: dbBytes / MB, rows, redisMb: usedMemory / MB, ops };
      samples.push(sample);
      if (samples.length % Math.max(1, Math.round(30 / sampleEvery)) === 1) {
        log(`t=${sample.t.toFixed(0)}s rss ${nodes.map((n) => n.rssMb.toFixed(0)).join('/')} MB heap ${nodes.map((n) => n.heapUsedMb.toFixed(0)).join('/')} MB db ${sample.dbMb.toFixed(1)} MB rows ${JSON.stringify(rows)} ops ${JSON.stringify(ops)}`);
      }
      await sleep(Math.max(0, sampleEvery * 1000 - (Date.now() - at)));
    }
    const unacknowledged = await load.stop();
    const checks: Check[] = [];
    const add = (label: string, value: number, limit: number, unit: string) => checks.push({ label, value, limit, unit, ok: Number.isFinite(value) && value <= limit });
    const half = samples.filter((s) => s.t >= options.seconds / 2);
    const perMin = (pick: (s: Sample) => number, of = half) => slope(of.map((s) => [s.t / 60, pick(s)]));
    const third = options.seconds / 3;
    const middle = samples.filter((s) => s.t >= third && s.t < 2 * third);
    const lastThird = samples.filter((s) => s.t >= 2 * third);
    const peak = (of: Sample[], pick: (s: Sample) => number) => Math.max(...of.map(pick));
    deployment.nodes.forEach((_node, i) => {
      const live = (heapAfterGc[i] ?? []).filter(([t]) => t >= third);
      // Fewer than three full collections after warm-up: nothing to fit, and nothing that grew enough to force one.
      add(`node ${i} live heap after full GC (${live.length} collections), slope after the first third`, live.length >= 3 ? slope(live.map(([t, mb]) => [t / 60, mb])) : 0, limits.heapAfterGcMbPerMin, 'MB/min');
      add(`node ${i} RSS peak, last third over middle third`, peak(lastThird, (s) => s.nodes[i]!.rssMb) - peak(middle, (s) => s.nodes[i]!.rssMb), limits.rssPeakGrowthMb, 'MB');
      add(`node ${i} libuv handles at the peak, last third over middle third`, peak(lastThird, (s) => s.nodes[i]!.handles) - peak(middle, (s) => s.nodes[i]!.handles), limits.handlesGrowth, '');
    });
    const last = samples.at(-1)!;
    const lastAt = started + last.t * 1000;
    const recent = (kinds: OperationKind[], seconds: number) => rec.operations.filter((o) => o.ok && kinds.includes(o.kind) && o.at > lastAt - seconds * 1000 && o.at <= lastAt).length;
    const payloadLifetime = ttl + purge + 10;
    add(
      `oidc_payloads rows at the end / (2 × sign-ins and refreshes of the last ${payloadLifetime} s)`,
      last.rows.oidc_payloads! / Math.max(1, 2 * recent(['login', 'refresh'], payloadLifetime)),
      1,
      '',
    );
    // A QR code's use outlives a short run, so only the full run can see it purged.
    if (!short) {
      const qrLifetime = QR_USE_LIFETIME_SECONDS + purge + 10;
      add(`qr_token_uses rows at the end / check-ins of the last ${qrLifetime} s`, last.rows.qr_token_uses! / Math.max(1, recent(['checkin'], qrLifetime)), 1, '');
    }
    // The database grows by the records kept by design; beyond ~1 kB a record it must not.
    const keptPerMin = DURABLE_TABLES.reduce((sum, table) => sum + perMin((s) => s.rows[table]!), 0);
    add('database size, slope of the last half beyond 1 kB per kept record', perMin((s) => s.dbMb) - (keptPerMin * 1024) / MB, limits.dbMbPerMin, 'MB/min');
    const acknowledged = new Set(load.queues.flatMap((q) => [...q.acknowledged.keys()]));
    const stored = new Set(((await db.query('select id from checkins')).rows as Array<{ id: string }>).map((r) => r.id));
    const lost = [...acknowledged].filter((id) => !stored.has(id)).length;
    const unexpected = [...stored].filter((id) => !acknowledged.has(id)).length;
    add(`check-ins lost or not acknowledged but stored (of ${acknowledged.size})`, lost + unexpected, 0, '');
    add('requests that timed out, server errors other than clean 503s', rec.timeouts + rec.problems.length, 0, '');
    add('check-ins never acknowledged', unacknowledged, 0, '');
    const notes = [
      `load: ${JSON.stringify(rec.summary().operations)} operations ok/all; ${rec.problems.length} problems${rec.problems.length ? `: ${JSON.stringify(rec.problems.slice(0, 3))}` : ''}`,
      `last sample: RSS ${last.nodes.map((n) => n.rssMb.toFixed(1)).join(' / ')} MB, heap ${last.nodes.map((n) => n.heapUsedMb.toFixed(1)).join(' / ')} MB, handles ${last.nodes.map((n) => n.handles).join(' / ')}, database ${last.dbMb.toFixed(2)} MB, Redis ${last.redisMb.toFixed(2)} MB, rows ${JSON.stringify(last.rows)}`,
    ];
    notes.push(`live heap after full GC (MB), per node: ${heapAfterGc.map((series) => (series ?? []).map(([t, mb]) => `${t.toFixed(0)}s:${mb.toFixed(0)}`).join(' ')).join(' | ')}`);
    return { ok: checks.every((c) => c.ok), seconds: options.seconds, samples, heapAfterGc, checks, load: rec.summary(), notes };
  } finally {
    redis.disconnect();
    await db.end().catch(() => {});
    await deployment.close();
    await rm(reports, { recursive: true, force: true });
  }
}
