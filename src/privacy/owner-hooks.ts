/**
 * How the owners' answers about a resident's data combine (each capability hands its tables'
 * hooks, src/<owner>/data-rights.ts; the contract is src/core/data-rights.ts): each export section, preview count and
 * forget report has exactly one owner, so a second answer is a wiring mistake and fails loudly.
 */
import type { DataRightsHooks } from '../core/data-rights.ts';

/**
 * The hooks in the order they are asked (a deletion forgets in this order): as given, but those
 * that remove the subject itself last. An owner wired twice would answer twice: refused.
 */
export function ownerOrder(hooks: readonly DataRightsHooks[]): DataRightsHooks[] {
  const owners = new Set<string>();
  for (const { owner } of hooks) {
    if (owners.has(owner)) throw new Error(`data rights: the hooks of ${owner} are wired twice`);
    owners.add(owner);
  }
  return [...hooks.filter((h) => !h.removesSubject), ...hooks.filter((h) => h.removesSubject)];
}

/** Adds one owner's answer to the others'. */
export function mergeOwned<T extends object>(into: Partial<T>, part: Partial<T> | void | undefined, owner: string, what: string): void {
  for (const [key, value] of Object.entries(part ?? {})) {
    if (key in into) throw new Error(`data rights: ${what} "${key}" answered twice (again by ${owner}); each has one owner`);
    (into as Record<string, unknown>)[key] = value;
  }
}

/** The owners' answers, once each of `every` is there (a record of every key, so the compiler lists them all). */
export function complete<T extends object>(parts: Partial<T>, every: Record<keyof T, true>, what: string): T {
  for (const key of Object.keys(every)) if (!(key in parts)) throw new Error(`data rights: no owner answers for ${what} "${key}"`);
  return parts as T;
}
