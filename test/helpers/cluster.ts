// Several PASS processes (`node clients/main.ts`, as `npm start` runs them) behind a small reverse
// proxy on loopback: round-robin by default, a chosen node on request (header `x-pass-node`), and
// nodes that refuse connections are skipped, as a load balancer's health checking would.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort, PASS_ENTRY, REPO_ROOT } from './pass.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TAIL = 200_000;

export interface PassNode {
  /** Its own address (not the issuer: every node has the proxy's address as issuer). */
  url: string;
  port: number;
  pid: number;
  /** stdout and stderr so far (its JSON log lines), the last 200 kB. */
  output(): string;
  alive(): boolean;
  /** How it ended ("exit code 1 signal null"), once it has: a crash is a finding. */
  exit(): string | undefined;
  /** SIGTERM, then SIGKILL after 20 s. */
  stop(): Promise<void>;
  /** kill -9: no shutdown at all, as when a machine dies. */
  kill(): Promise<void>;
}

/** Env of a node: the shared services and issuer, no demo data, quiet logs unless asked. */
export function nodeEnv(issuer: string, port: number, env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: issuer,
    PASS_DEMO_DATA: 'false',
    LOG_LEVEL: process.env.PASS_TEST_LOG_LEVEL ?? 'warn',
    ...env,
  };
}

export interface NodeOptions {
  /** Node flags, e.g. --trace-gc. */
  nodeArgs?: string[];
  /** Sees all output as it comes (output() keeps only the tail). */
  onOutput?: (chunk: string) => void;
  /** How long it may take to answer /healthz (default 45 s). */
  readyWithinMs?: number;
}

/** Starts `node clients/main.ts` and resolves once /healthz answers on its own port. */
export async function startNode(issuer: string, env: Record<string, string>, port?: number, options: NodeOptions = {}): Promise<PassNode> {
  const chosen = port ?? (await freePort());
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), PASS_ENTRY], {
    cwd: REPO_ROOT,
    env: nodeEnv(issuer, chosen, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-TAIL);
    options.onOutput?.(text);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = once(child, 'exit');
  const alive = () => child.exitCode === null && child.signalCode === null;
  const exit = () => (alive() ? undefined : `exit code ${child.exitCode} signal ${child.signalCode}`);
  const url = `http://127.0.0.1:${chosen}`;
  const node: PassNode = {
    url,
    port: chosen,
    pid: child.pid!,
    output: () => tail,
    alive,
    exit,
    async stop() {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (!alive()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  const readyWithinMs = options.readyWithinMs ?? 45_000;
  const deadline = Date.now() + readyWithinMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`PASS node exited before it was ready (${exit()}):\n${tail}`);
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
      async (r) => (await r.arrayBuffer(), r.ok),
      () => false,
    );
    if (ok) return node;
    await sleep(100);
  }
  await node.kill();
  throw new Error(`PASS node not ready at ${url} within ${readyWithinMs / 1000} s:\n${tail}`);
}

export const NODE_HEADER = 'x-pass-node';
export const SERVED_BY_HEADER = 'x-served-by';

export interface Proxy {
  url: string;
  port: number;
  /** The nodes requests go to; bring a restarted node back with `restore`. */
  nodes: Array<PassNode | undefined>;
  /** Puts a (restarted) node in place and forgets that it refused connections, as a health check would. */
  restore(index: number, node: PassNode): void;
  /** How many requests each node answered, and how many the proxy answered itself with 502. */
  served: number[];
  badGateway: number;
  close(): Promise<void>;
}

/**
 * Forwards each request whole to one node. The body is read first (requests here are small), so a
 * request that found a node refusing connections (nothing was sent) goes to the next node; one
 * whose node died while answering gets 502, which a real load balancer would answer too.
 */
export async function startProxy(port?: number): Promise<Proxy> {
  let next = 0;
  const downUntil = new Map<number, number>();
  const proxy: Proxy = {
    url: '',
    port: 0,
    nodes: [],
    served: [],
    badGateway: 0,
    restore(index, node) {
      proxy.nodes[index] = node;
      downUntil.delete(index);
    },
    close: async () => {},
  };

  function candidates(forced: number | undefined): number[] {
    if (forced !== undefined) return [forced];
    const all = proxy.nodes.map((_n, i) => i).filter((i) => proxy.nodes[i]);
    const now = Date.now();
    const up = all.filter((i) => (downUntil.get(i) ?? 0) <= now);
    const order = up.length ? up : all;
    next = (next + 1) % Math.max(1, order.length);
    return [...order.slice(next), ...order.slice(0, next)];
  }

  function forward(index: number, req: http.IncomingMessage, body: Buffer): Promise<{ response: http.IncomingMessage } | { refused: true } | { failed: Error }> {
    const node = proxy.nodes[index];
    if (!node) return Promise.resolve({ refused: true });
    return new Promise((resolve) => {
      const headers = { ...req.headers };
      delete headers[NODE_HEADER];
      headers['content-length'] = String(body.length);
      delete headers['transfer-encoding'];
      const upstream = http.request({ host: '127.0.0.1', port: node.port, method: req.method, path: req.url, headers, agent: false }, (response) => resolve({ response }));
      upstream.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? { refused: true } : { failed: error }));
      upstream.end(body);
    });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const forcedHeader = req.headers[NODE_HEADER];
    const forced = typeof forcedHeader === 'string' && /^\d+$/.test(forcedHeader) ? Number(forcedHeader) : undefined;
    for (const index of candidates(forced)) {
      const outcome = await forward(index, req, body);
      if ('refused' in outcome) {
        downUntil.set(index, Date.now() + 2000);
        continue;
      }
      if ('failed' in outcome) break;
      const { response } = outcome;
      proxy.served[index] = (proxy.served[index] ?? 0) + 1;
      res.writeHead(response.statusCode ?? 502, { ...response.headers, [SERVED_BY_HEADER]: String(index) });
      response.pipe(res);
      response.on('error', () => res.destroy());
      return;
    }
    proxy.badGateway += 1;
    res.writeHead(502, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ error: 'bad_gateway', error_description: 'no PASS node answered' }));
  }

  // A caller that gave up (its timeout) leaves nothing to answer.
  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => resolve());
  });
  proxy.port = (server.address() as AddressInfo).port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return proxy;
}
