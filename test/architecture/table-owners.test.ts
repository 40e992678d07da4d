import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TABLE_OWNERS } from './table-owners.ts';
import { codeOf, lineAt, ROOT, sourceFiles } from './source-scan.ts';

const tables = Object.keys(TABLE_OWNERS);
const names = tables.join('|');
const quote = `['"\`]`;
/** The ways code names a table: a knex call's first argument, an alias object, a constant or option, raw SQL. */
const PATTERNS = [
  new RegExp(String.raw`\w\s*\(\s*${quote}(${names})(?:\s+as\s+\w+)?${quote}`, 'g'),
  new RegExp(String.raw`\(\s*\{\s*\w+\s*:\s*${quote}(${names})${quote}`, 'g'),
  new RegExp(String.raw`(?:=|\btable\s*:)\s*${quote}(${names})(?:\s+as\s+\w+)?${quote}`, 'g'),
  new RegExp(String.raw`\b(?:from|into|update|join|table|truncate)\s+"?(${names})"?\b`, 'gi'),
];

const owns = (owner: string, file: string) => file === owner || file.startsWith(`${owner}/`);

export function tableNamesOutsideOwners(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const code = codeOf(file);
    for (const pattern of PATTERNS) {
      for (const match of code.matchAll(pattern)) {
        const table = match[1]!.toLowerCase();
        if (!owns(TABLE_OWNERS[table]!, file)) found.push(`${file}:${lineAt(code, match.index)} names ${table} (owner: ${TABLE_OWNERS[table]})`);
      }
    }
  }
  return found;
}

describe('every table has one owner', () => {
  test('no module outside its owner names a table in SQL', () => {
    expect(tableNamesOutsideOwners(sourceFiles('src', 'clients'))).toEqual([]);
  });

  test('the scan sees each way of naming a table', () => {
    const samples = [
      "db('persons').where({ id })",
      'trx("persons as p").select()',
      "db.from({ p: 'persons' })",
      "const TABLE = 'persons';",
      "{ table: 'persons', purpose: 'x' }",
      "db.raw('select 1 from persons where id = ?')",
      "db.raw('UPDATE persons SET x = 1')",
    ];
    for (const sample of samples) {
      expect(PATTERNS.some((pattern) => [...sample.matchAll(pattern)].some((m) => m[1]!.toLowerCase() === 'persons'))).toBe(true);
    }
    expect(PATTERNS.some((pattern) => [..."kit.signedIn(ctx, 'persons')".matchAll(pattern)].length > 0)).toBe(false);
  });

  test('every table the migrations create has an owner, and only those', () => {
    const created = new Set<string>();
    for (const file of sourceFiles('migrations')) {
      for (const match of readFileSync(path.join(ROOT, file), 'utf8').matchAll(/createTable\(\s*['"`](\w+)['"`]/g)) created.add(match[1]!);
    }
    expect([...created].sort()).toEqual([...tables].sort());
  });

  test('docs/architecture.md prints the same map', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
    const rows = [...doc.matchAll(/^\|\s*`(\w+)`\s*\|\s*`([\w/.-]+)`\s*\|/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(Object.fromEntries(rows)).toEqual(TABLE_OWNERS);
  });
});
