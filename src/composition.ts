/**
 * The composition root: starts capabilities in their declared order, handing each what it
 * `needs` from those before it. A missing or misplaced dependency stops start-up before
 * anything runs, with the names of both sides, rather than switching a feature off unseen.
 */
import type { Platform } from './platform.ts';
import type { OidcModule } from './oidc/oidc-module.ts';
import type { DataRightsHooks } from './core/data-rights.ts';
import { PassError } from './core/errors.ts';
import type { CapabilityFactory, ProvisionName, Provisions, StartedCapability } from './capability.ts';

/** Throws unless every capability comes after the capabilities that provide what it needs, and each name has one provider. */
export function checkOrder(factories: readonly CapabilityFactory[]): void {
  const providers = new Map<ProvisionName, string>();
  for (const factory of factories) {
    for (const need of factory.needs) {
      if (providers.has(need)) continue;
      const later = factories.find((f) => f.provides.includes(need));
      throw new PassError(
        'configuration',
        'capability_order',
        `capability ${factory.name} needs '${need}', which no earlier capability provides` + (later ? ` (${later.name} provides it: start it first)` : ''),
      );
    }
    for (const name of factory.provides) {
      const first = providers.get(name);
      if (first) throw new PassError('configuration', 'capability_order', `capability ${factory.name} provides '${name}', which ${first} already provides`);
      providers.set(name, factory.name);
    }
  }
}

export interface Composition {
  capabilities: StartedCapability[];
  /** What the capabilities provided, by name (tests and development tools reach the running parts here). */
  provided: Partial<Provisions>;
}

/** Starts the capabilities in order; if one fails, stops those already started and rethrows. */
export async function startCapabilities(factories: readonly CapabilityFactory[], platform: Platform, oidc: OidcModule): Promise<Composition> {
  checkOrder(factories);
  const capabilities: StartedCapability[] = [];
  const provided: Partial<Provisions> = {};
  const dataRights = (): DataRightsHooks[] => capabilities.flatMap((c) => c.dataRights ?? []);
  try {
    for (const factory of factories) {
      // checkOrder has made sure every need is there.
      const needs = Object.fromEntries(factory.needs.map((name) => [name, provided[name]])) as unknown as Provisions;
      const capability = await factory.start({ platform, oidc, needs, dataRights });
      capabilities.push(capability);
      for (const name of factory.provides) {
        const value = capability.provided?.[name];
        if (value === undefined) throw new Error(`capability ${factory.name} declares '${name}' but did not provide it`);
        Object.assign(provided, { [name]: value });
      }
    }
  } catch (error) {
    await stopCapabilities(capabilities);
    throw error;
  }
  return { capabilities, provided };
}

/** Stops capabilities in reverse start order: each stops before those it needs. */
export async function stopCapabilities(capabilities: readonly StartedCapability[]): Promise<void> {
  for (const capability of [...capabilities].reverse()) await capability.stop?.();
}
