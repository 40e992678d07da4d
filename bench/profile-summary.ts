/**
 * `node bench/profile-summary.ts <file.cpuprofile> [top]`: where a server's CPU time went, from a
 * profile that `npm run bench -- --profile` wrote. Self time per package (or src/ folder) and the
 * top functions, so a regression names its module without opening DevTools.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/<pkg> (scoped too), the src/ or bench/ folder, node: internals, or the V8 bucket. */
export function bucketOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const own = /\/(src|bench)\/(.+)\/[^/]+$/.exec(url) ?? /\/(src|bench)\/([^/]+)$/.exec(url);
  if (own) return `${own[1]}/${own[2]!.split('/')[0]}`;
  if (url.startsWith('node:')) return url.split('/')[0]!;
  return url;
}

export function summarize(profile: CpuProfile): { total: number; buckets: Map<string, number>; functions: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const buckets = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) return;
    total += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const bucket = bucketOf(url, functionName);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + ms);
    const fn = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench)\//, '$1/')}:${lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
  });
  return { total, buckets, functions };
}

function print(title: string, entries: Map<string, number>, total: number, top: number): void {
  process.stdout.write(`\n${title}\n`);
  for (const [name, ms] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((ms / total) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${name}\n`);
  }
}

if (import.meta.main) {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node bench/profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const { total, buckets, functions } = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  process.stdout.write(`${file}: ${(total / 1000).toFixed(1)} s sampled\n`);
  print('self time by package / folder', buckets, total, 25);
  print('self time by function', functions, total, Number(topArg ?? 30));
}
