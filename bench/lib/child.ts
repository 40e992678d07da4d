import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** A server the benchmark started; its output is kept (the tail) so a failure can say why. */
export interface ChildServer {
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

const TAIL = 8000;

function keepTail(child: ChildProcess): () => string {
  let tail = '';
  const add = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-TAIL);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => tail;
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export async function runCommand(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const tail = keepTail(child);
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}:\n${tail()}`);
  return stdout;
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited before it was ready:\n${output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server not ready at ${url} within ${timeoutMs} ms:\n${output()}`);
}

/**
 * Starts `node <args>` and resolves once `readyUrl` answers 2xx. stop() sends SIGTERM (so a
 * --cpu-prof profile gets written) and escalates to SIGKILL if the server does not exit.
 */
export async function startChildServer(options: {
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  url: string;
  readyUrl: string;
  timeoutMs?: number;
}): Promise<ChildServer> {
  const child = spawn(process.execPath, options.args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = keepTail(child);
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilReady(options.readyUrl, child, output, options.timeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: options.url, pid: child.pid!, output, stop };
}
