import type { Config } from './config/load-config.ts';
import type { Logger } from './core/logger.ts';
import { openPlatform } from './platform.ts';
import { createOidcModule } from './oidc/oidc-module.ts';
import { seedDemoData } from './demo/seed.ts';

/**
 * What must happen once per deployment before nodes serve: check the schema, create signing keys,
 * seed demo data where configured. Nodes started afterwards find everything in place.
 */
export async function prepareDeployment(config: Config, log: Logger): Promise<void> {
  const platform = await openPlatform(config, log, 'require');
  try {
    const oidc = await createOidcModule(platform);
    oidc.host.stop();
    if (config.demoData) {
      const report = await seedDemoData(platform, oidc.clients);
      if (report.clientsCreated.length || report.accountsCreated.length) log.info(report, 'demo data seeded');
    }
  } finally {
    await platform.close();
  }
}
