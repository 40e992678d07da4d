// What the deployment tests share: a clean copy of the repository (what a fresh clone holds) and
// `npm start` run in it as a person would, stopped with its whole process group.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const run = promisify(execFile);

/** The repository as a clean clone has it: tracked files and new ones git does not ignore. */
export async function copyRepository(to: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    // A file removed from the working tree but not yet from the index is not part of the copy.
    if (!existsSync(path.join(REPO_ROOT, file))) continue;
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, file), path.join(to, file));
  }
}

/** Resolves with the port once PASS logs that it started; rejects with its output if it ends first. */
function started(child: ChildProcess, output: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      const line = output().split('\n').find((l) => l.includes('"msg":"PASS started"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`the start command ended (${code}) before PASS started:\n${output()}`)));
  });
}

/**
 * Runs a shell command line that starts PASS (`npm start`, or README's whole line) in `cwd`, hands
 * `use` the port PASS listens on and everything it printed so far, and stops it afterwards.
 */
export async function whileStarted(commandLine: string, cwd: string, env: Record<string, string>, use: (port: number, output: () => string) => Promise<void>): Promise<void> {
  const child = spawn('bash', ['-c', commandLine], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const ended = new Promise((resolve) => child.once('exit', resolve));
  try {
    await use(await started(child, () => output), () => output);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, 'SIGTERM');
      // A clean shutdown takes well under SHUTDOWN_TIMEOUT_SECONDS; past it, the test stops waiting.
      const stuck = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
      await ended;
      clearTimeout(stuck);
    }
  }
}
