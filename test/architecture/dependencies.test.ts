// A production install (`npm install --omit=dev`) gets "dependencies" only: whatever src/, clients/
// and migrations/ load at run time must be there, and nothing else should be.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { codeOf, ROOT, sourceFiles } from './source-scan.ts';

const RUNTIME_FOLDERS = ['src', 'clients', 'migrations'];

/**
 * Dependencies that no runtime file names, each with why it is still needed at run time. A peer
 * dependency of a dependency that is loaded needs no entry here: the test finds those itself.
 */
const NOT_IMPORTED_BUT_NEEDED: Record<string, string> = {};

interface PackageJson {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readPackage = (dir: string): PackageJson => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
const dependencies = Object.keys(readPackage(ROOT).dependencies ?? {});

/** The ways a file loads a module at run time; `import type` and `export type` load nothing. */
const RUNTIME_LOADS = [
  /\b(?:import|export)\s+(?!type\s)(?:[^'"`;]*?\bfrom\s*)?['"]([^'"]+)['"]/g,
  /(?<!(?:\btypeof|\bas|:)\s*)\bimport\s*\(\s*['"`]([^'"`$]+)['"`]\s*\)/g,
  /\brequire(?:\.resolve)?\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bcreateRequire\([^)]*\)\s*\.resolve\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The package a bare specifier names ('@scope/pkg/sub' → '@scope/pkg'); undefined for relative paths. */
function packageOf(specifier: string): string | undefined {
  if (/^[./#]/.test(specifier) || /^[a-z]+:/.test(specifier) && !specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function runtimeSpecifiers(code: string): string[] {
  return RUNTIME_LOADS.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1]!));
}

const isBuiltin = (name: string) => name.startsWith('node:') || builtinModules.includes(name);

/** package → the runtime files that load it. */
function packagesLoaded(): Map<string, string[]> {
  const loaded = new Map<string, string[]>();
  for (const file of sourceFiles(...RUNTIME_FOLDERS)) {
    for (const specifier of runtimeSpecifiers(codeOf(file))) {
      const name = packageOf(specifier);
      if (name === undefined || isBuiltin(name)) continue;
      loaded.set(name, [...(loaded.get(name) ?? []), file]);
    }
  }
  return loaded;
}

describe('dependencies are what runs', () => {
  const loaded = packagesLoaded();

  test('every package a runtime file loads is a production dependency', () => {
    const missing = [...loaded].filter(([name]) => !dependencies.includes(name)).map(([name, files]) => `${name} (loaded by ${files.join(', ')})`);
    expect(missing).toEqual([]);
  });

  test('every production dependency is loaded, is a peer of one that is, or says why it is kept', () => {
    const peersOfLoaded = new Set([...loaded.keys()].flatMap((name) => Object.keys(readPackage(path.join(ROOT, 'node_modules', name)).peerDependencies ?? {})));
    const unused = dependencies.filter((name) => !loaded.has(name) && !peersOfLoaded.has(name) && !(name in NOT_IMPORTED_BUT_NEEDED));
    expect(unused).toEqual([]);
    for (const [name, reason] of Object.entries(NOT_IMPORTED_BUT_NEEDED)) {
      expect(dependencies).toContain(name);
      expect(reason.length).toBeGreaterThan(0);
    }
  });

  test('the scan sees each way of loading a package, and skips types and relative paths', () => {
    const code = [
      "import koa from 'koa';",
      "import { a,\n  b } from '@koa/router/lib';",
      "import * as client from \"openid-client\";",
      "import 'side-effect';",
      "export { x } from 'reexported';",
      "const m = await import('dynamic');",
      "const file = createRequire(import.meta.url).resolve('jsqr');",
      "import type { Knex } from 'type-only';",
      "export type { T } from 'type-reexport';",
      "let s: typeof import('type-query');",
      "body as import('node:stream/web').ReadableStream;",
      "import { local } from './local.ts';",
      "import { fs } from 'node:fs';",
    ].join('\n');
    const packages = runtimeSpecifiers(code).map(packageOf).filter((name) => name !== undefined && !isBuiltin(name));
    expect(packages.sort()).toEqual(['@koa/router', 'dynamic', 'jsqr', 'koa', 'openid-client', 'reexported', 'side-effect'].sort());
  });
});
