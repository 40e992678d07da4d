import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Scenario } from '../types.ts';

export const SCENARIO_DIR = path.resolve(import.meta.dirname, '../scenarios');

function isScenario(value: unknown): value is Scenario {
  const s = value as Partial<Scenario> | undefined;
  return typeof s?.name === 'string' && typeof s.description === 'string' && typeof s.run === 'function';
}

async function load(dir: string, file: string): Promise<Scenario> {
  const module = (await import(pathToFileURL(path.join(dir, file)).href)) as { default?: unknown };
  if (!isScenario(module.default)) throw new Error(`bench/scenarios/${file} has no default export of a Scenario (bench/types.ts)`);
  return module.default;
}

/**
 * Every bench/scenarios/*.ts with a default Scenario, by file name. With filters, a file whose
 * base name matches is loaded alone, so one scenario runs even while another is half-written;
 * otherwise all are loaded and matched by scenario name.
 */
export async function discoverScenarios(filters: string[], dir = SCENARIO_DIR): Promise<Scenario[]> {
  const base = (file: string) => file.slice(0, -'.ts'.length);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
  if (filters.length === 0) return Promise.all(files.map((f) => load(dir, f)));
  const byFile = files.filter((f) => filters.includes(base(f)));
  if (byFile.length === filters.length) return Promise.all(byFile.map((f) => load(dir, f)));
  // A filter names a scenario whose file is called otherwise: load all, match by name or file.
  const all = await Promise.all(files.map(async (file) => ({ file, scenario: await load(dir, file) })));
  const chosen = all.filter(({ file, scenario }) => filters.includes(scenario.name) || filters.includes(base(file)));
  const unknown = filters.filter((f) => !chosen.some(({ file, scenario }) => scenario.name === f || base(file) === f));
  if (unknown.length) throw new Error(`no scenario named ${unknown.join(', ')} (have: ${all.map((a) => a.scenario.name).join(', ') || 'none'})`);
  return chosen.map((c) => c.scenario);
}
