// npm run models:fetch -- [--public | --from DIR | --url BASE] [--to DIR] [--manifest FILE] [--only name,name]
// An operator tool: it reads PASS_MODELS_MIRROR itself (checked by the configuration schema's own
// rule) rather than loading the whole server configuration.
import { parseArgs } from 'node:util';
import { VARIABLES } from '../../config/schema.ts';
import { PassError } from '../../core/errors.ts';
import { fetchModels } from './fetch.ts';
import type { FetchEvent } from './fetch.ts';
import { DEFAULT_MANIFEST_PATH, loadManifest } from './manifest.ts';

const USAGE = `usage: npm run models:fetch -- [--public | --from DIR | --url BASE_URL] [--to DIR] [--manifest FILE] [--only NAME[,NAME]]
  --public        download from the public sources pinned in the manifest (resumable; sha256-checked)
  --from DIR      copy from a mirror directory
  --url BASE_URL  download BASE_URL/<file> from a mirror
                  (neither: $PASS_MODELS_MIRROR, a directory or an http(s) base URL)
  --to DIR        target directory (default: ./models)
  --only NAMES    fetch only these manifest names (default: all)`;

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        url: { type: 'string' },
        public: { type: 'boolean' },
        to: { type: 'string', default: './models' },
        manifest: { type: 'string', default: DEFAULT_MANIFEST_PATH },
        only: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ([values.public, values.from, values.url].filter(Boolean).length > 1) {
    process.stderr.write(`models:fetch: give one source: --public, --from or --url\n${USAGE}\n`);
    return 2;
  }
  let source: { public: true } | { from: string } | { url: string } | undefined;
  if (values.public) source = { public: true };
  else if (values.from) source = { from: values.from };
  else if (values.url) source = { url: values.url };
  else if (process.env.PASS_MODELS_MIRROR) {
    const mirror = VARIABLES.PASS_MODELS_MIRROR.safeParse(process.env.PASS_MODELS_MIRROR);
    if (!mirror.success || !mirror.data) {
      process.stderr.write(`models:fetch: PASS_MODELS_MIRROR ${mirror.error?.issues[0]?.message ?? 'is not valid'}\n`);
      return 2;
    }
    source = /^https?:\/\//i.test(mirror.data) ? { url: mirror.data } : { from: mirror.data };
  }
  if (!source) {
    process.stderr.write(`models:fetch: no source; pass --public, --from DIR, --url BASE_URL or set PASS_MODELS_MIRROR\n${USAGE}\n`);
    return 2;
  }
  const manifest = await loadManifest(values.manifest);
  const names = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const result = await fetchModels({ manifest, to: values.to, ...source, names, onEvent: report });
  process.stdout.write(`models:fetch: ${result.fetched.length} fetched, ${result.skipped.length} already present, into ${values.to}\n`);
  return 0;
}

function report(event: FetchEvent): void {
  const tty = process.stdout.isTTY;
  switch (event.type) {
    case 'skip':
      process.stdout.write(`  ${event.name}: up to date (${event.file})\n`);
      break;
    case 'start': {
      const resumed = event.resumeAt > 0 ? `, resuming at ${Math.floor((100 * event.resumeAt) / event.size)}%` : '';
      process.stdout.write(`  ${event.name}: ${event.from} (${(event.size / 1e6).toFixed(1)} MB${resumed})${tty ? '' : '\n'}`);
      break;
    }
    case 'retry':
      process.stdout.write(`${tty ? '\n' : ''}  ${event.name}: ${event.message}; trying again\n`);
      break;
    case 'progress':
      if (tty) process.stdout.write(`\r  ${event.name}: ${Math.floor((100 * event.bytes) / event.size)}%   `);
      break;
    case 'done':
      process.stdout.write(`${tty ? `\r  ${event.name}: 100%   ` : `  ${event.name}:`} sha256 ok\n`);
      break;
    case 'error':
      process.stdout.write(`${tty ? '\n' : ''}  ${event.name}: FAILED: ${event.message}\n`);
      break;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof PassError ? err.message : String((err as Error)?.stack ?? err);
    process.stderr.write(`models:fetch: ${message}\n`);
    process.exitCode = 1;
  },
);
