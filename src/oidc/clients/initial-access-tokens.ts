import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Database } from '../../db/database.ts';
import { InvalidInputError, NotFoundError } from '../../core/errors.ts';
import { facilityExists } from '../../facilities/facility-store.ts';
import { PostgresAdapter } from '../adapter/postgres-adapter.ts';
import { PASS_FACILITY } from './client-policy.ts';

/** The registration policy every initial access token PASS mints carries (features.registration.policies). */
export const FACILITY_POLICY = 'pass-facility';

const BINDING_MODEL = 'PassIatFacility';
const DEFAULT_TTL = 7 * 24 * 3600;

export interface MintedToken {
  token: string;
  facilityId: string | null;
  expiresAt: Date;
}

/**
 * Initial access tokens for OpenID Connect Dynamic Client Registration. An admin mints one for an
 * integrator, optionally for a facility; every client registered with it belongs to that
 * facility, whatever the registration request says. The token works until it expires.
 */
export class InitialAccessTokens {
  readonly #db: Database;
  readonly #bindings: PostgresAdapter;

  constructor(db: Database) {
    this.#db = db;
    this.#bindings = new PostgresAdapter(db, BINDING_MODEL);
  }

  async mint(provider: Provider, options: { facilityId?: string | undefined; ttlSeconds?: number | undefined } = {}): Promise<MintedToken> {
    const ttl = options.ttlSeconds ?? DEFAULT_TTL;
    if (!Number.isInteger(ttl) || ttl < 60 || ttl > 90 * 24 * 3600) throw new InvalidInputError('invalid_ttl', 'an initial access token lives 60 seconds to 90 days');
    const facilityId = options.facilityId ?? null;
    if (facilityId && !(await facilityExists(this.#db, facilityId))) {
      throw new NotFoundError('facility_not_found', `no facility with id "${facilityId}"`);
    }
    const iat = new provider.InitialAccessToken({ expiresIn: ttl, policies: [FACILITY_POLICY] });
    const token = await iat.save();
    if (facilityId) await this.#bindings.upsert(iat.jti, { facilityId }, ttl);
    return { token, facilityId, expiresAt: new Date(Date.now() + ttl * 1000) };
  }

  /** The registration policy: the facility comes from the token, never from the request body. */
  readonly policy = async (ctx: KoaContextWithOIDC, properties: Record<string, unknown>): Promise<void> => {
    const jti = (ctx.oidc.entities as { InitialAccessToken?: { jti: string } }).InitialAccessToken?.jti;
    const binding = jti ? await this.#bindings.find(jti) : undefined;
    if (typeof binding?.facilityId === 'string') properties[PASS_FACILITY] = binding.facilityId;
    else delete properties[PASS_FACILITY];
  };
}
