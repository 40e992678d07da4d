import type { Redis } from 'ioredis';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { ClientAdapter } from './client-adapter.ts';
import { PostgresAdapter } from './postgres-adapter.ts';
import { RedisAdapter } from './redis-adapter.ts';
import type { Adapter } from './types.ts';
import type { ClientCache } from '../clients/client-cache.ts';

/**
 * Models kept in Redis when it is configured: those that live minutes, plus browser sessions,
 * which every sign-in step reads and writes (a session lost with Redis only means signing in
 * again). What a resident agreed to and what relying parties hold for long (grants, refresh
 * tokens, registration tokens, clients) stays in PostgreSQL.
 */
export const SHORT_LIVED_MODELS = new Set([
  'Session',
  'Interaction',
  'AuthorizationCode',
  'DeviceCode',
  'PushedAuthorizationRequest',
  'ReplayDetection',
  'BackchannelAuthenticationRequest',
  'ClientCredentials',
  'AccessToken',
]);

export interface AdapterDeps {
  db: Database;
  redis: Redis | undefined;
  box: SecretBox;
  clientCache: ClientCache;
  /** Called after a client record changes, so every node drops its cached copy. */
  clientChanged: (clientId: string) => Promise<void>;
}

export function createAdapterFactory({ db, redis, box, clientCache, clientChanged }: AdapterDeps): (model: string) => Adapter {
  return (model: string) => {
    if (model === 'Client') return new ClientAdapter(db, box, clientCache, clientChanged);
    if (redis && SHORT_LIVED_MODELS.has(model)) return new RedisAdapter(redis, model);
    return new PostgresAdapter(db, model);
  };
}
