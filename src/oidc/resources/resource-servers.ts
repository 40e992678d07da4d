import type { Database } from '../../db/database.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../core/errors.ts';

export type TokenFormat = 'jwt' | 'opaque';

export interface ResourceServer {
  identifier: string;
  name: string;
  scopes: string[];
  tokenFormat: TokenFormat;
  /** Seconds; the platform's access token TTL when unset. */
  accessTokenTtl: number | null;
  facilityId: string | null;
}

interface Row {
  identifier: string;
  name: string;
  scopes: string[];
  token_format: TokenFormat;
  access_token_ttl: number | null;
  facility_id: string | null;
}

const TTL_MS = 30_000;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/;

function toServer(row: Row): ResourceServer {
  return {
    identifier: row.identifier,
    name: row.name,
    scopes: row.scopes,
    tokenFormat: row.token_format,
    accessTokenTtl: row.access_token_ttl,
    facilityId: row.facility_id,
  };
}

/** An absolute https URI without a fragment (RFC 8707 §2); http only for localhost in development. */
function validIdentifier(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.hash || value.includes('#')) return false;
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(url.hostname));
  } catch {
    return false;
  }
}

/**
 * The registered resource servers, read on every token request that names a `resource`; cached
 * for 30 s per node, dropped at once on this node when one changes.
 */
export class ResourceServers {
  readonly #db: Database;
  readonly #cache = new Map<string, { value: ResourceServer | undefined; expires: number }>();

  constructor(db: Database) {
    this.#db = db;
  }

  async find(identifier: string): Promise<ResourceServer | undefined> {
    const hit = this.#cache.get(identifier);
    if (hit && hit.expires > Date.now()) return hit.value;
    const row = (await this.#db('resource_servers').where({ identifier }).first()) as Row | undefined;
    const value = row ? toServer(row) : undefined;
    this.#cache.set(identifier, { value, expires: Date.now() + TTL_MS });
    if (this.#cache.size > 1000) this.#cache.delete(this.#cache.keys().next().value!);
    return value;
  }

  async list(): Promise<ResourceServer[]> {
    return ((await this.#db('resource_servers').orderBy('created_at')) as Row[]).map(toServer);
  }

  async create(input: { identifier: string; name: string; scopes: string[]; tokenFormat?: TokenFormat; accessTokenTtl?: number; facilityId?: string }): Promise<ResourceServer> {
    if (!validIdentifier(input.identifier)) throw new InvalidInputError('invalid_resource', 'a resource identifier is an absolute https URI without a fragment');
    if (!input.name.trim()) throw new InvalidInputError('invalid_name', 'a resource server needs a name');
    if (!input.scopes.length || !input.scopes.every((s) => SCOPE.test(s))) throw new InvalidInputError('invalid_scope', 'list one or more scopes (no spaces or quotes)');
    const format = input.tokenFormat ?? 'jwt';
    if (format !== 'jwt' && format !== 'opaque') throw new InvalidInputError('invalid_format', 'the token format is jwt or opaque');
    const ttl = input.accessTokenTtl;
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 60 || ttl > 86_400)) throw new InvalidInputError('invalid_ttl', 'the access token TTL is 60 to 86400 seconds');
    if (await this.#db('resource_servers').where({ identifier: input.identifier }).first()) {
      throw new ConflictError('resource_exists', `a resource server "${input.identifier}" already exists`);
    }
    const [row] = (await this.#db('resource_servers')
      .insert({
        identifier: input.identifier,
        name: input.name.trim(),
        scopes: JSON.stringify([...new Set(input.scopes)]),
        token_format: format,
        access_token_ttl: ttl ?? null,
        facility_id: input.facilityId ?? null,
      })
      .returning('*')) as Row[];
    this.#cache.delete(input.identifier);
    return toServer(row!);
  }

  async remove(identifier: string): Promise<void> {
    const deleted = await this.#db('resource_servers').where({ identifier }).delete();
    this.#cache.delete(identifier);
    if (deleted === 0) throw new NotFoundError('resource_not_found', `no resource server "${identifier}"`);
  }
}
