import { errors } from 'oidc-provider';
import { unstorableText } from '../../db/text-guard.ts';
import type { Adapter } from './types.ts';

/**
 * oidc-provider looks records up by whatever a client sends (a token, a client_id, a user code) and
 * stores request parameters and metadata (state, nonce, claims, client_name) in its records. Text
 * PostgreSQL refuses (U+0000; unpaired surrogates in JSON, src/db/text-guard.ts) would surface as a
 * server_error: a key holding it names nothing (not found, nothing to delete), and a record holding
 * it is an invalid request, the same on every storage (PostgreSQL or Redis).
 */
export function refuseUnstorableText(adapter: Adapter): Adapter {
  const unknown = (key: string) => unstorableText(key);
  return {
    async upsert(id, payload, expiresIn) {
      if (unknown(id) || unstorableText(payload, true)) throw new errors.InvalidRequest('request parameters must not contain NUL characters or unpaired surrogates');
      return adapter.upsert(id, payload, expiresIn);
    },
    find: async (id) => (unknown(id) ? undefined : adapter.find(id)),
    findByUserCode: async (userCode) => (unknown(userCode) ? undefined : adapter.findByUserCode(userCode)),
    findByUid: async (uid) => (unknown(uid) ? undefined : adapter.findByUid(uid)),
    consume: async (id) => (unknown(id) ? undefined : adapter.consume(id)),
    destroy: async (id) => (unknown(id) ? undefined : adapter.destroy(id)),
    revokeByGrantId: async (grantId) => (unknown(grantId) ? undefined : adapter.revokeByGrantId(grantId)),
  };
}
