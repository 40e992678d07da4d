// Two PASS nodes in this process sharing PostgreSQL and Redis, behind one issuer: a small reverse
// proxy on loopback sends the kiosk API to node A and everything else (sign-in, PASS Manager) to
// node B, so a kiosk's refused check-in is recorded on one node and streamed to staff by the other.
import http from 'node:http';
import { configFor, freePort, startAllInOne, startPass } from '../helpers/pass.ts';
import type { PassServer } from '../../src/server.ts';

export interface TwoNodes {
  issuer: string;
  kioskNode: PassServer & { issuer: string };
  managerNode: PassServer & { issuer: string };
  close(): Promise<void>;
}

async function node(issuer: string, env: Record<string, string>): Promise<PassServer & { issuer: string }> {
  const port = await freePort();
  const config = configFor({ ...env, ISSUER: issuer, PORT: String(port) });
  return Object.assign(await startAllInOne(config), { issuer });
}

export async function twoNodes(env: Record<string, string>): Promise<TwoNodes> {
  const proxyPort = await freePort();
  const issuer = `http://127.0.0.1:${proxyPort}`;
  const kioskNode = await node(issuer, env);
  const managerNode = await node(issuer, env);
  const proxy = http.createServer((req, res) => {
    const target = new URL(req.url!.startsWith('/api/kiosk/') ? kioskNode.url : managerNode.url);
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(proxyPort, '127.0.0.1', resolve));
  return {
    issuer,
    kioskNode,
    managerNode,
    async close() {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await Promise.all([kioskNode.close(), managerNode.close()]);
    },
  };
}

/** Two nodes where the storage is shared (PostgreSQL + Redis); otherwise one embedded node plays both parts. */
export async function managerNodes(env: Record<string, string>, crossNode: boolean): Promise<TwoNodes> {
  if (crossNode) return twoNodes(env);
  const pass = await startPass(env);
  return { issuer: pass.issuer, kioskNode: pass, managerNode: pass, close: () => pass.close() };
}
