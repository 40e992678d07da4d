import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import type { Adapter, AdapterPayload } from './types.ts';
import type { ClientCache } from '../clients/client-cache.ts';

const TABLE = 'oidc_clients';
const SECRET_AAD = 'oidc-client-secret';

interface ClientRow {
  client_id: string;
  metadata: Record<string, unknown>;
  client_secret_sealed: string | null;
  facility_id: string | null;
}

/** The facility a client belongs to: a column (for queries), and `pass_facility_id` on the client. */
const FACILITY = 'pass_facility_id';

/**
 * Client records in their own table, with the client secret encrypted at rest. Records written
 * here come from Dynamic Client Registration; admins' go through ClientService.
 */
export class ClientAdapter implements Adapter {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #cache: ClientCache;
  readonly #changed: (clientId: string) => Promise<void>;

  constructor(db: Database, box: SecretBox, cache: ClientCache, changed: (clientId: string) => Promise<void>) {
    this.#db = db;
    this.#box = box;
    this.#cache = cache;
    this.#changed = changed;
  }

  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    const { client_secret: secret, [FACILITY]: facility, ...metadata } = payload;
    await this.#db(TABLE)
      .insert({
        client_id: id,
        metadata: JSON.stringify(metadata),
        client_secret_sealed: typeof secret === 'string' ? this.#box.seal(secret, SECRET_AAD) : null,
        facility_id: typeof facility === 'string' ? facility : null,
        source: 'dynamic',
        updated_at: new Date(),
      })
      .onConflict('client_id')
      .merge(['metadata', 'client_secret_sealed', 'facility_id', 'updated_at']);
    await this.#changed(id);
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.#cache.get(id, () => this.#load(id));
  }

  async #load(id: string): Promise<AdapterPayload | undefined> {
    const row = (await this.#db(TABLE).where({ client_id: id }).first()) as ClientRow | undefined;
    if (!row) return undefined;
    const metadata: AdapterPayload = { ...row.metadata, client_id: row.client_id };
    if (row.facility_id) metadata[FACILITY] = row.facility_id;
    if (row.client_secret_sealed) metadata.client_secret = this.#box.openText(row.client_secret_sealed, SECRET_AAD);
    return metadata;
  }

  async findByUserCode(): Promise<undefined> {
    return undefined;
  }

  async findByUid(): Promise<undefined> {
    return undefined;
  }

  async consume(): Promise<void> {}

  async destroy(id: string): Promise<void> {
    await this.#db(TABLE).where({ client_id: id }).delete();
    await this.#changed(id);
  }

  async revokeByGrantId(): Promise<void> {}
}

export { SECRET_AAD as CLIENT_SECRET_AAD };
