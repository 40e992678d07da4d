/**
 * oidc-provider turns every error it does not know into `server_error` (500), and in the
 * authorization endpoint sends it to the relying party. A storage outage is not that: where PASS
 * hands oidc-provider its storage (the adapters) and its accounts (findAccount), an outage becomes
 * RFC 6749's `temporarily_unavailable` with status 503, which oidc-provider renders, returns as
 * JSON or redirects with like any of its own errors. The original error stays as `cause`, so the
 * HTTP edge still knows it for an outage (src/db/outage.ts).
 */
import { errors, type FindAccount } from 'oidc-provider';
import { isOutage } from '../db/outage.ts';
import { OUTAGE_DESCRIPTION } from '../http/outage.ts';
import type { Adapter } from './adapter/types.ts';

export function providerError(error: unknown): unknown {
  if (!isOutage(error)) return error;
  return Object.assign(new errors.TemporarilyUnavailable(OUTAGE_DESCRIPTION, { cause: error }), { status: 503, statusCode: 503, expose: true });
}

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw providerError(error);
  }
}

export function guardAdapter(adapter: Adapter): Adapter {
  return {
    upsert: (id, payload, expiresIn) => guarded(() => adapter.upsert(id, payload, expiresIn)),
    find: (id) => guarded(() => adapter.find(id)),
    findByUserCode: (code) => guarded(() => adapter.findByUserCode(code)),
    findByUid: (uid) => guarded(() => adapter.findByUid(uid)),
    consume: (id) => guarded(() => adapter.consume(id)),
    destroy: (id) => guarded(() => adapter.destroy(id)),
    revokeByGrantId: (grantId) => guarded(() => adapter.revokeByGrantId(grantId)),
  };
}

/** findAccount and the claims of the account it finds: both read PostgreSQL inside oidc-provider. */
export function guardFindAccount(find: FindAccount): FindAccount {
  return async (ctx, id, token) => {
    const account = await guarded(async () => find(ctx, id, token));
    if (!account) return account;
    const claims = account.claims.bind(account);
    return { ...account, claims: (...args: Parameters<typeof claims>) => guarded(async () => claims(...args)) };
  };
}
