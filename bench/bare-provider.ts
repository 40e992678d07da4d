/**
 * The baseline for the client_credentials scenario: oidc-provider as installed, with its default
 * in-memory adapter and the least configuration that serves the same request (client_credentials
 * and introspection on, one static client). Run by bench/scenarios/client-credentials.ts as
 * `node bench/bare-provider.ts` with BARE_PORT and BARE_CLIENT (the client's JSON metadata).
 */
import http from 'node:http';
import Provider, { type ClientMetadata } from 'oidc-provider';

const port = Number(process.env.BARE_PORT);
const client = JSON.parse(process.env.BARE_CLIENT ?? 'null') as ClientMetadata | null;
if (!Number.isInteger(port) || port <= 0 || !client?.client_id) {
  process.stderr.write('bare-provider: BARE_PORT and BARE_CLIENT (JSON client metadata) are required\n');
  process.exit(2);
}

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [client],
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
  },
  // PASS's default for the same token, so both stores hold records of the same lifetime.
  ttl: { ClientCredentials: Number(process.env.BARE_CLIENT_CREDENTIALS_TTL ?? 600) },
});

const server = http.createServer(provider.callback());
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');

process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
