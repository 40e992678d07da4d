// npm run models:fetch -- [--from DIR | --url BASE] [--to DIR] [--manifest FILE] [--only name,name]
// The CLI is the one place that reads PASS_MODELS_MIRROR: it is an operator tool, not the server.
import { parseArgs } from 'node:util';
import { PassError } from '../../core/errors.ts';
import { fetchModels } from './fetch.ts';
import type { FetchEvent } from './fetch.ts';
import { DEFAULT_MANIFEST_PATH, loadManifest } from './manifest.ts';

const USAGE = `usage: npm run models:fetch -- [--from DIR | --url BASE_URL] [--to DIR] [--manifest FILE] [--only NAME[,NAME]]
  --from DIR      copy from a mirror directory (default: $PASS_MODELS_MIRROR)
  --url BASE_URL  download BASE_URL/<file> instead
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
  const from = values.from ?? (values.url ? undefined : process.env.PASS_MODELS_MIRROR || undefined);
  if (!from && !values.url) {
    process.stderr.write(`models:fetch: no source; pass --from DIR, --url BASE_URL or set PASS_MODELS_MIRROR\n${USAGE}\n`);
    return 2;
  }
  const manifest = await loadManifest(values.manifest);
  const names = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const result = await fetchModels({ manifest, to: values.to, from, url: values.url, names, onEvent: report });
  process.stdout.write(`models:fetch: ${result.fetched.length} fetched, ${result.skipped.length} already present, into ${values.to}\n`);
  return 0;
}

function report(event: FetchEvent): void {
  const tty = process.stdout.isTTY;
  switch (event.type) {
    case 'skip':
      process.stdout.write(`  ${event.name}: up to date (${event.file})\n`);
      break;
    case 'start':
      process.stdout.write(`  ${event.name}: ${event.from} (${(event.size / 1e6).toFixed(1)} MB)${tty ? '' : '\n'}`);
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
