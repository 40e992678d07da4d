// The SD-JWT core must run unchanged in the PASS app's and the kiosk's pages, served stripped of
// its types without a bundler: no Node-only API (not even as a word of code), only relative imports
// within src/wallet/sd-jwt and src/core/errors|reasons. Shown two ways: the text of every module, and
// the whole core run — present and verify — in a bare V8 context that has only the web platform's
// globals a page has (WebCrypto, TextEncoder/Decoder, streams), no Buffer, no process, no require.
import { readdirSync, readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { issueCredential, makeHolder, makeIssuer, newNonce, policyFor, statusListToken, VERIFIER } from './fixtures.ts';

const SRC = path.resolve(import.meta.dirname, '../../../src');
const CORE = 'wallet/sd-jwt';
const ALLOWED = [/^wallet\/sd-jwt\/[a-z0-9-]+\.ts$/, /^core\/(errors|reasons)\.ts$/];
const NODE_ONLY = /\b(?:Buffer|process|require|__dirname|__filename|global|setImmediate)\b/;

const stripped = (name: string): string => stripTypeScriptTypes(readFileSync(path.join(SRC, name), 'utf8'), { mode: 'strip' });
const withoutComments = (code: string): string => code.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
const importsOf = (code: string): string[] =>
  [...code.matchAll(/(?:^|[\s;])(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2] ?? m[3])!);
const resolve = (from: string, specifier: string): string => path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));

/** Every module of the core folder and everything they import, by path under src. */
function closure(): string[] {
  const pending = readdirSync(path.join(SRC, CORE)).filter((f) => f.endsWith('.ts')).map((f) => `${CORE}/${f}`);
  const seen = new Set<string>();
  while (pending.length) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    for (const specifier of importsOf(stripped(name))) if (specifier.startsWith('.')) pending.push(resolve(name, specifier));
  }
  return [...seen].sort();
}

test('every module of the core and its imports: no Node-only API, only relative imports within the allowed folders', () => {
  const modules = closure();
  expect(modules).toEqual(expect.arrayContaining([`${CORE}/index.ts`, `${CORE}/verifier.ts`, `${CORE}/holder.ts`, 'core/errors.ts', 'core/reasons.ts']));
  const problems: string[] = [];
  for (const name of modules) {
    if (!ALLOWED.some((rule) => rule.test(name))) problems.push(`${name} is outside src/wallet/sd-jwt and src/core/errors|reasons`);
    const code = stripped(name);
    const word = NODE_ONLY.exec(withoutComments(code));
    if (word) problems.push(`${name} uses ${word[0]}`);
    for (const specifier of importsOf(code)) if (!specifier.startsWith('./') && !specifier.startsWith('../')) problems.push(`${name} imports ${specifier}`);
  }
  expect(problems).toEqual([]);
});

test('the checker itself catches a Node-only word and a bare import', () => {
  expect(NODE_ONLY.test(withoutComments("const b = Buffer.from('x');"))).toBe(true);
  expect(NODE_ONLY.test(withoutComments('// Buffer is not used here\nconst b = 1;'))).toBe(false);
  expect(importsOf("import { x } from 'node:crypto';")).toEqual(['node:crypto']);
});

type CoreExports = typeof import('../../../src/wallet/sd-jwt/index.ts');

/** The stripped core linked as ES modules in a context with a page's globals and nothing of Node's. */
async function loadInBareContext(): Promise<CoreExports> {
  const context = vm.createContext({
    crypto: globalThis.crypto,
    TextEncoder,
    TextDecoder,
    ReadableStream,
    DecompressionStream,
  });
  const modules = new Map<string, vm.SourceTextModule>();
  const load = (name: string): vm.SourceTextModule => {
    let module = modules.get(name);
    if (!module) {
      module = new vm.SourceTextModule(stripped(name), { context, identifier: name });
      modules.set(name, module);
    }
    return module;
  };
  const entry = load(`${CORE}/index.ts`);
  await entry.link((specifier, referencing) => load(resolve(referencing.identifier, specifier)));
  await entry.evaluate();
  return entry.namespace as unknown as CoreExports;
}

test('the core presents and verifies in a bare context with only web globals', async () => {
  const core = await loadInBareContext();
  expect(vm.runInContext('typeof process + typeof Buffer + typeof require', vm.createContext({}))).toBe('undefinedundefinedundefined');
  const issuer = makeIssuer();
  const holder = await makeHolder();
  const credential = await issueCredential(issuer, 'age', { holder: holder.publicJwk, idx: 2 });
  const nonce = newNonce();
  const presentation = await core.presentCredential(credential, { disclose: ['age_over_65'], aud: VERIFIER, nonce, key: holder.key, now: new Date() });
  const result = await core.verifyPresentation(presentation, policyFor(issuer, nonce, await statusListToken(issuer)));
  expect(JSON.parse(JSON.stringify(result.claims))).toEqual({ age_over_65: false });
  const revoked = await core.verifyPresentation(presentation, policyFor(issuer, nonce, await statusListToken(issuer, { revoked: [2] }))).then(
    () => 'accepted',
    (error: { reason?: string }) => error.reason,
  );
  expect(revoked).toBe('credential_revoked');
});
