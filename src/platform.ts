import type { Redis } from 'ioredis';
import type { Config } from './config/load-config.ts';
import type { Logger } from './core/logger.ts';
import { SecretBox } from './core/secret-box.ts';
import { LocalEventBus, RedisEventBus, type EventBus } from './core/event-bus.ts';
import { PassError } from './core/errors.ts';
import { MetricsRegistry } from './core/metrics.ts';
import { checkDatabase, createDatabase, describeDatabase, migrate, pendingMigrations, type Database, type DatabaseInfo } from './db/database.ts';
import { connectRedis } from './db/redis.ts';
import { openEmbeddedDatabase, type EmbeddedDatabase, type EmbeddedRole } from './db/embedded-access.ts';
import { AccountService } from './identity/accounts.ts';
import { AccountCache, registerAccountCache } from './identity/account-cache.ts';
import { AccountChangeListener } from './identity/account-change-listener.ts';
import { FacilityService } from './facilities/facility-service.ts';
import { SigningKeys } from './oidc/keys/signing-keys.ts';

/** The shared services of one PASS process, used by the server and by the admin CLI. */
export interface Platform {
  config: Config;
  log: Logger;
  db: Database;
  dbInfo: DatabaseInfo;
  redis: Redis | undefined;
  bus: EventBus;
  box: SecretBox;
  /** This server's metrics: each capability declares its series here (src/core/metrics.ts); the server serves them at /metrics. */
  metrics: MetricsRegistry;
  keys: SigningKeys;
  accounts: AccountService;
  facilities: FacilityService;
  close(): Promise<void>;
}

export type MigrationPolicy = 'apply' | 'require';

async function assertMigrated(db: Database): Promise<void> {
  const pending = await pendingMigrations(db);
  if (pending.length > 0) {
    throw new PassError('configuration', 'schema_outdated', `the database schema is behind by ${pending.length} migration(s): run "npm run migrate"`);
  }
}

/** `embeddedRole`: how this process reaches the embedded database (src/db/embedded-access.ts): PASS serves it, the admin CLI joins. */
export async function openPlatform(config: Config, log: Logger, migrations: MigrationPolicy, embeddedRole: EmbeddedRole = 'serve'): Promise<Platform> {
  const dbInfo = describeDatabase(config);
  // Redis first: it answers (or fails) in milliseconds, while opening the embedded database takes seconds.
  const redis: Redis | undefined = config.redisUrl ? await connectRedis(config.redisUrl, config.database.connectTimeoutSeconds) : undefined;
  let embedded: EmbeddedDatabase | undefined;
  let db: Database | undefined;
  try {
    if (dbInfo.kind === 'embedded') embedded = await openEmbeddedDatabase(config, log, embeddedRole);
    db = embedded?.db ?? createDatabase(config);
    await checkDatabase(db, dbInfo);
    if (migrations === 'apply' || dbInfo.kind === 'embedded') await migrate(db);
    else await assertMigrated(db);
    await embedded?.share();
  } catch (error) {
    await (embedded ? embedded.close() : db?.destroy())?.catch(() => {});
    redis?.disconnect();
    throw error;
  }
  const bus: EventBus = redis ? new RedisEventBus(redis) : new LocalEventBus();
  const box = new SecretBox(config.encryptionKeys);
  // The embedded database is one process's: its cache would gain little, and stays off.
  const accountCache = new AccountCache({ ttlMs: config.database.accountCacheSeconds * 1000 });
  registerAccountCache(db, accountCache);
  const accountListener = config.database.url && config.database.accountCacheSeconds > 0
    ? new AccountChangeListener({ url: config.database.url, cache: accountCache, log, connectTimeoutMs: config.database.connectTimeoutSeconds * 1000 })
    : undefined;
  await accountListener?.start();
  return {
    config,
    log,
    db,
    dbInfo,
    redis,
    bus,
    box,
    metrics: new MetricsRegistry(),
    keys: new SigningKeys(db, box),
    accounts: new AccountService(db, accountCache),
    facilities: new FacilityService(db),
    async close() {
      await accountListener?.close();
      await bus.close();
      redis?.disconnect();
      await (embedded ? embedded.close() : db.destroy());
    },
  };
}
