// The shape of every fault test: load, a fault, recovery, then the checks that matter — nothing
// acknowledged to a kiosk lost or twice in PostgreSQL, clean 503s meanwhile, no hang, no crash.
import pg from 'pg';
import { crashSigns, FACILITY, type Deployment } from './fixture.ts';
import { Recorder, startLoad, type OperationKind } from './load.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** After the service is back, each kind of operation must succeed again within this (no restart of PASS). */
export const RECOVERY_BOUND_MS = 15_000;

export interface OutageReport {
  rec: Recorder;
  /** ms from the service being back to the first success of each operation kind. */
  recovery: Partial<Record<OperationKind, number>>;
  /** What each kind did while the fault lasted: answers that were 503s, and successes. */
  during: { unavailable: number; succeeded: Partial<Record<OperationKind, number>> };
  unacknowledged: number;
  acknowledged: Map<string, string>;
  stored: Map<string, { result: string; count: number }>;
}

const KINDS: OperationKind[] = ['login', 'machine', 'checkin'];

/**
 * Runs the load, waits until every kind has succeeded, calls `fault` (which returns once the
 * service is back, with the time it was taken away), and keeps the load on until every kind has
 * succeeded again (or RECOVERY_BOUND_MS ran out), then drains the kiosks' queues.
 */
export async function underLoad(deployment: Deployment, fault: () => Promise<{ downAt: number }>, options: { allowBadGateway?: boolean } = {}): Promise<OutageReport> {
  const rec = new Recorder();
  rec.allowBadGateway = options.allowBadGateway ?? false;
  const load = startLoad(rec, deployment, { loginWorkers: 1, machineWorkers: 1 });
  const warmDeadline = Date.now() + 20_000;
  while (KINDS.some((k) => rec.succeeded(k) === 0) && Date.now() < warmDeadline) await sleep(100);
  await sleep(500);
  const { downAt } = await fault();
  const backAt = Date.now();
  const recoverDeadline = backAt + RECOVERY_BOUND_MS;
  while (KINDS.some((k) => rec.firstSuccess(k, backAt) === undefined) && Date.now() < recoverDeadline) await sleep(100);
  await sleep(1000);
  const unacknowledged = await load.stop();

  const recovery: OutageReport['recovery'] = {};
  for (const kind of KINDS) {
    const at = rec.firstSuccess(kind, backAt);
    if (at !== undefined) recovery[kind] = at - backAt;
  }
  const succeeded: OutageReport['during']['succeeded'] = {};
  for (const kind of KINDS) succeeded[kind] = rec.operations.filter((o) => o.kind === kind && o.ok && o.at >= downAt && o.at < backAt).length;
  const unavailable = [...rec.statuses].filter(([label]) => label.endsWith(' 503')).reduce((n, [, c]) => n + c, 0);

  const acknowledged = new Map<string, string>();
  for (const queue of load.queues) for (const [id, result] of queue.acknowledged) acknowledged.set(id, result);
  const client = new pg.Client({ connectionString: deployment.env.DATABASE_URL });
  await client.connect();
  const rows = (await client.query('select id, result, count(*)::int as n from checkins where facility_id = $1 group by id, result', [FACILITY])).rows as Array<{ id: string; result: string; n: number }>;
  await client.end();
  const stored = new Map(rows.map((r) => [r.id, { result: r.result, count: r.n }]));
  const report = { rec, recovery, during: { unavailable, succeeded }, unacknowledged, acknowledged, stored };
  if (process.env.RELIABILITY_VERBOSE) console.log(JSON.stringify({ ...rec.summary(), recovery, during: report.during, acknowledged: acknowledged.size, badGateway: deployment.proxy.badGateway }, null, 1));
  return report;
}

/** The checks every fault test makes; `expect` is jest's. */
export function expectCleanRecovery(report: OutageReport, deployment: Deployment, aliveNodes = deployment.nodes): void {
  const { rec } = report;
  // Readable on failure: what happened, in one object.
  const summary = { ...rec.summary(), recovery: report.recovery, during: report.during, problems: rec.problems.slice(0, 8) };
  expect({ problems: rec.problems, timeouts: rec.timeouts, summary }).toEqual({ problems: [], timeouts: 0, summary });
  // Below HTTP, only a node dying in the middle of an answer may cut a connection (the proxy passes it on).
  if (!rec.allowBadGateway) expect(rec.networkErrors).toBe(0);
  for (const kind of KINDS) expect({ kind, recoveredWithinMs: report.recovery[kind] ?? `not within ${RECOVERY_BOUND_MS}` }).toEqual({ kind, recoveredWithinMs: expect.any(Number) });

  // Exactly the acknowledged check-ins, each once, with the result the kiosk was told.
  expect(report.unacknowledged).toBe(0);
  expect(report.acknowledged.size).toBeGreaterThan(0);
  const lost = [...report.acknowledged.keys()].filter((id) => !report.stored.has(id));
  const unexpected = [...report.stored.keys()].filter((id) => !report.acknowledged.has(id));
  const duplicated = [...report.stored].filter(([, r]) => r.count !== 1).map(([id]) => id);
  const changed = [...report.acknowledged].filter(([id, result]) => report.stored.get(id)?.result !== result).map(([id]) => id);
  expect({ lost, unexpected, duplicated, changed }).toEqual({ lost: [], unexpected: [], duplicated: [], changed: [] });

  for (const node of aliveNodes) {
    expect({ port: node.port, alive: node.alive() }).toEqual({ port: node.port, alive: true });
    expect(crashSigns(node.output())).toEqual([]);
  }
}
