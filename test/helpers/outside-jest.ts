// Runs a heavy, pure measurement in a plain Node process instead of Jest's sandbox. Jest evaluates
// each test file in a vm context, where every global lookup (Math, the typed-array constructors …)
// goes through the context's interceptors: the face measurements ran 3× slower there than in the
// same Node (test/face/accuracy.test.ts: 171 s in Jest, 53 s outside), and gallery inserts 20×.
// The code measured is the same module a bench or PASS runs; only the sandbox is left out.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const RUNNER = `
import { writeFile } from 'node:fs/promises';
const { PASS_OUTSIDE_MODULE: moduleUrl, PASS_OUTSIDE_EXPORT: name, PASS_OUTSIDE_ARGS: args, PASS_OUTSIDE_RESULT: out } = process.env;
const fn = (await import(moduleUrl))[name];
if (typeof fn !== 'function') throw new Error(name + ' is not a function of ' + moduleUrl);
await writeFile(out, JSON.stringify((await fn(...JSON.parse(args))) ?? null));
process.exit(0);
`;

/**
 * Calls `exportName(...args)` of the module at `modulePath` (relative to the repository root) in a
 * child Node process and resolves with its result as JSON (arguments and result must survive
 * JSON). The child's output goes to the test's stderr; a throw or a non-zero exit rejects.
 */
export async function runOutsideJest<T>(modulePath: string, exportName: string, args: unknown[] = []): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pass-outside-jest-'));
  const result = path.join(dir, 'result.json');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '--eval', RUNNER], {
        env: {
          ...process.env,
          PASS_OUTSIDE_MODULE: pathToFileURL(path.resolve(modulePath)).href,
          PASS_OUTSIDE_EXPORT: exportName,
          PASS_OUTSIDE_ARGS: JSON.stringify(args),
          PASS_OUTSIDE_RESULT: result,
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`${modulePath} ${exportName} exited with ${code}`);
    return JSON.parse(await readFile(result, 'utf8')) as T;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
