import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.ts';
import { createLogger } from '../core/logger.ts';
import { describeFailure } from '../core/fatal.ts';
import { openPlatform } from '../platform.ts';
import { createOidcModule, type OidcModule } from '../oidc/oidc-module.ts';
import { COMMANDS } from './commands.ts';

function usage(): string {
  return ['usage: npm run pass -- <command> [options] [--json]', '', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

/** The admin CLI: readable output by default, --json for scripts, exit 1 with one line on failure. */
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      name: { type: 'string' },
      'client-id': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      'grant-types': { type: 'string' },
      'auth-method': { type: 'string' },
      facility: { type: 'string' },
      'jwks-uri': { type: 'string' },
      jwks: { type: 'string' },
      fapi: { type: 'boolean' },
      'backchannel-logout-uri': { type: 'string' },
      'application-type': { type: 'string' },
      'secret-file': { type: 'string' },
      ttl: { type: 'string' },
      identifier: { type: 'string' },
      scopes: { type: 'string' },
      format: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      phone: { type: 'string' },
      role: { type: 'string' },
    },
  });
  const name = [positionals.slice(0, 2).join(' '), positionals[0] ?? ''].find((n) => n in COMMANDS);
  if (values.help || !name) {
    process.stdout.write(`${usage()}\n`);
    return values.help ? 0 : 2;
  }
  const config = loadConfig();
  // On the embedded database, a running PASS shares it on its socket: the CLI joins it there.
  const platform = await openPlatform(config, createLogger('warn', { component: 'cli' }, 2), 'apply', 'join');
  let oidc: OidcModule | undefined;
  try {
    const result = await COMMANDS[name]!.run({
      platform,
      flags: values,
      oidc: async () => (oidc ??= await createOidcModule(platform)),
    });
    process.stdout.write(values.json ? `${JSON.stringify(result.data, null, 2)}\n` : `${result.lines.join('\n')}\n`);
    return result.exitCode ?? 0;
  } finally {
    oidc?.host.stop();
    await platform.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    for (const line of describeFailure(error)) process.stderr.write(`pass: ${line}\n`);
    process.exit(1);
  },
);
