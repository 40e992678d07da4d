import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every TypeScript and JavaScript file under the given folders of the repository, as repository paths. */
export function sourceFiles(...folders: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (/\.(ts|js|mjs)$/.test(entry.name)) files.push(rel);
    }
  };
  for (const folder of folders) walk(folder);
  return files.sort();
}

/** The text of a file with its comments blanked (lines keep their numbers). */
export function codeOf(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, (_line, before: string) => before);
}

export const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;
