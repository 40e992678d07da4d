// Reproducible installs: package-lock.json must hold every platform's prebuilt binaries, or `npm ci`
// refuses it on any machine other than the one that wrote it (npm 11 checks the lock against
// package.json, optional platform packages included), and every install of the project (CI, the
// image, README) must be `npm ci`, which installs exactly the lock or fails, never `npm install`,
// which may quietly resolve something else.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './clean-copy.ts';

interface LockEntry {
  version?: string;
  integrity?: string;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, LockEntry> };
const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

/** The lock entry npm would install for `name` required by the package at `from` (nested first, then hoisted). */
function resolve(name: string, from: string): LockEntry | undefined {
  for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    const entry = lock.packages[`${dir ? `${dir}/` : ''}node_modules/${name}`];
    if (entry) return entry;
    if (!dir) return undefined;
  }
}

/** The platforms PASS is developed and deployed on: CI and the image (linux x64, glibc), arm64 servers, Apple silicon. */
const PLATFORMS = [
  { name: 'linux-x64-gnu', os: 'linux', cpu: 'x64', libc: 'glibc' },
  { name: 'linux-arm64-gnu', os: 'linux', cpu: 'arm64', libc: 'glibc' },
  { name: 'darwin-arm64', os: 'darwin', cpu: 'arm64', libc: undefined },
] as const;

const fitsPlatform = (entry: LockEntry, p: (typeof PLATFORMS)[number]) =>
  !!entry.os?.includes(p.os) && !!entry.cpu?.includes(p.cpu) && (p.libc === undefined || !entry.libc || entry.libc.includes(p.libc));

describe('package-lock.json', () => {
  test('is a lockfile npm ci reads (version 3)', () => {
    expect(lock.lockfileVersion).toBe(3);
  });

  test('holds, with version and integrity, every optional dependency that any locked package names', () => {
    const missing: string[] = [];
    for (const [at, entry] of Object.entries(lock.packages)) {
      for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
        const found = resolve(name, at);
        if (!found?.version || !found.integrity) missing.push(`${at || 'the project'} → ${name}@${range}`);
      }
    }
    expect(missing).toEqual([]);
  });

  // The packages with native binaries per platform: the binary package (and what it needs in turn,
  // sharp's libvips) must be locked for each platform, at the version the parent names.
  test.each(['@swc/core', '@node-rs/argon2', 'sharp'])('locks the prebuilt binaries of %s for linux-x64-gnu, linux-arm64-gnu and darwin-arm64', (name) => {
    const at = `node_modules/${name}`;
    const parent = lock.packages[at];
    expect(parent?.optionalDependencies).toBeDefined();
    for (const platform of PLATFORMS) {
      const binaries = Object.entries(parent!.optionalDependencies!).flatMap(([dep, version]) => {
        const entry = resolve(dep, at);
        return entry && entry.version === version && entry.integrity && fitsPlatform(entry, platform) ? [[dep, entry] as const] : [];
      });
      if (binaries.length === 0) throw new Error(`${name}: no locked binary for ${platform.name}`);
      for (const [dep, entry] of binaries) {
        for (const [inner, version] of Object.entries(entry.optionalDependencies ?? {})) {
          const needed = resolve(inner, `node_modules/${dep}`);
          if (!needed || needed.version !== version || !needed.integrity) throw new Error(`${dep} (${platform.name}) needs ${inner}@${version}, which the lock lacks`);
        }
      }
    }
  });
});

/** Lines of a shell script or Dockerfile that are not comments. */
const commands = (text: string) => text.split('\n').filter((line) => !/^\s*#/.test(line));

describe('every install of the project is `npm ci`', () => {
  test('.ci/run installs with npm ci (`npm install` only for tools installed apart, with --prefix)', () => {
    const lines = commands(read('.ci/run'));
    expect(lines.some((l) => /\bnpm ci\b/.test(l))).toBe(true);
    expect(lines.filter((l) => /\bnpm (install|i|add)\b/.test(l) && !/--prefix\b/.test(l))).toEqual([]);
  });

  test('the Dockerfile installs with npm ci in both stages that install', () => {
    const lines = commands(read('Dockerfile'));
    expect(lines.filter((l) => /\bnpm (install|i|add)\b/.test(l))).toEqual([]);
    expect(lines.filter((l) => /^RUN\b.*\bnpm ci\b/.test(l))).toHaveLength(2);
    expect(lines.some((l) => /\bnpm ci\b.*--omit=dev/.test(l))).toBe(true);
  });

  test("README's start line installs with npm ci", () => {
    const readme = read('README.md');
    const start = /## Start it[^\n]*\n+```sh\n([^\n]+)\n/.exec(readme);
    expect(start?.[1]).toBe('npm ci && npm start');
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.flatMap(commands).filter((l) => /\bnpm (install|i|add)\b/.test(l))).toEqual([]);
  });
});
