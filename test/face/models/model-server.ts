// A model mirror over real HTTP on 127.0.0.1: serves the files of a directory (the shared models),
// honours Range requests as a CDN does, and can misbehave on purpose (cut a body halfway, ignore
// Range, serve altered bytes) to show what the fetcher does then.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface Request {
  path: string;
  range: string | undefined;
}

export interface ModelServer {
  url: string;
  port: number;
  requests: Request[];
  /**
   * The next GET of this file sends its headers and half its body, then closes the connection once
   * `until` resolves (by default at once). A client's HTTP stack may drop bytes it had not handed
   * on when the connection ends, so tests wait until the half has reached the part file.
   */
  cutNext(file: string, until?: () => Promise<void>): void;
  /** Serves these bytes under this name instead of the directory's file. */
  replace(file: string, bytes: Buffer): void;
  ignoreRange: boolean;
  close(): Promise<void>;
}

export async function startModelServer(dir: string, port = 0): Promise<ModelServer> {
  const cuts = new Map<string, () => Promise<void>>();
  const replaced = new Map<string, Buffer>();
  const requests: Request[] = [];
  const state = { ignoreRange: false };

  const server = http.createServer((req, res) => {
    void (async () => {
      const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
      requests.push({ path: name, range: req.headers.range });
      if (name.includes('/') || name.startsWith('.')) {
        res.writeHead(404).end();
        return;
      }
      let bytes = replaced.get(name);
      if (!bytes) bytes = await readFile(path.join(dir, name)).catch(() => undefined);
      if (!bytes) {
        res.writeHead(404).end();
        return;
      }
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      if (range && !state.ignoreRange) {
        const start = Number(range[1]);
        if (start >= bytes.length) {
          res.writeHead(416, { 'content-range': `bytes */${bytes.length}` }).end();
          return;
        }
        res.writeHead(206, { 'content-length': bytes.length - start, 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` });
        res.end(bytes.subarray(start));
        return;
      }
      res.writeHead(200, { 'content-length': bytes.length, 'accept-ranges': 'bytes' });
      const cut = cuts.get(name);
      if (cut) {
        cuts.delete(name);
        const half = Math.floor(bytes.length / 2);
        // A FIN, not a reset: the half that was sent arrives, then the body ends short of its length.
        res.write(bytes.subarray(0, half), () => void cut().finally(() => res.socket?.end()));
        return;
      }
      res.end(bytes);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests,
    cutNext: (file, until = async () => {}) => void cuts.set(file, until),
    replace: (file, bytes) => replaced.set(file, bytes),
    get ignoreRange() {
      return state.ignoreRange;
    },
    set ignoreRange(value: boolean) {
      state.ignoreRange = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (taken and let go): an unreachable mirror. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once the file holds at least one byte; gives up after a few seconds (the test then fails on its own). */
export async function untilWritten(file: string, limitMs = 5000): Promise<void> {
  const { stat } = await import('node:fs/promises');
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if (((await stat(file).catch(() => undefined))?.size ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
