import http from 'node:http';

/**
 * The load generator's HTTP client for multi-step flows: node:http over kept-alive connections,
 * redirects not followed. It exists because the generator shares the machine with PASS: fetch
 * (undici) costs the generator about twice the CPU per request, which the measured flows/s pays.
 */
export interface BenchResponse {
  status: number;
  location: string | undefined;
  setCookies: string[];
  text: string;
}

export interface BenchRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded. */
  form?: URLSearchParams;
  /** Sent as application/json (when no form is given). */
  json?: unknown;
}

export function createHttpClient(maxSockets: number): { request(url: URL, init?: BenchRequest): Promise<BenchResponse>; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return {
    request(url, init = {}) {
      const body = init.form ? Buffer.from(init.form.toString()) : init.json !== undefined ? Buffer.from(JSON.stringify(init.json)) : undefined;
      const headers: Record<string, string> = { ...init.headers };
      if (body) {
        headers['content-type'] = init.form ? 'application/x-www-form-urlencoded' : 'application/json';
        headers['content-length'] = String(body.length);
      }
      return new Promise((resolve, reject) => {
        const req = http.request(url, { method: init.method ?? 'GET', headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              location: res.headers.location,
              setCookies: res.headers['set-cookie'] ?? [],
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
