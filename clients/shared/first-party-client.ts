import type { ClientService, CreateClientInput } from '../../src/oidc/clients/client-service.ts';

/**
 * A first-party client's record, made at start when missing: production has no demo seed, and a
 * city's residents and staff must be able to sign in to the app and Manager from the first start.
 * What an operator changed in an existing record is left alone.
 */
export async function ensureFirstPartyClient(clients: ClientService, input: CreateClientInput & { clientId: string }): Promise<void> {
  if (await clients.find(input.clientId)) return;
  await clients.create(input).catch(async (error: unknown) => {
    // Another node made it at the same moment.
    if (!(await clients.find(input.clientId))) throw error;
  });
}
