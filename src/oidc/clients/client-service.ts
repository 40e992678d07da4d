import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import type { SecretBox } from '../../core/secret-box.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../../core/errors.ts';
import { facilityExists } from '../../facilities/facility-store.ts';
import { CLIENT_SECRET_AAD } from '../adapter/client-adapter.ts';
import { PASS_FACILITY, PASS_FAPI } from './client-policy.ts';

export type ClientMetadata = Record<string, unknown> & { client_id: string; client_secret?: string };

export interface RegisteredClient {
  clientId: string;
  clientSecret: string | undefined;
  facilityId: string | null;
  metadata: ClientMetadata;
  createdAt: Date;
  /** 'admin' (CLI, admin API, seed) or 'dynamic' (Dynamic Client Registration). */
  source: string;
}

export interface CreateClientInput {
  clientId?: string | undefined;
  name: string;
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  grantTypes?: string[];
  tokenEndpointAuthMethod?: string;
  facilityId?: string | undefined;
  /** Public keys for private_key_jwt and signed request objects: a URL, or the set itself. */
  jwksUri?: string | undefined;
  jwks?: { keys: Record<string, unknown>[] } | undefined;
  /** FAPI 2.0 Security Profile (PAR, DPoP, private_key_jwt enforced). */
  fapi?: boolean | undefined;
  backchannelLogoutUri?: string | undefined;
  /** `web` (the default) or `native` (an app on the resident's device: loopback or app-claimed redirect URIs, RFC 8252). */
  applicationType?: 'web' | 'native' | undefined;
  /**
   * A secret the operator chose (an existing relying party moving to PASS), instead of one PASS
   * makes: for the client_secret_* methods only. Never echoed, logged or shown again.
   */
  clientSecret?: string | undefined;
  /** Extra registered metadata (request_object_signing_alg, subject_type, …). */
  extra?: Record<string, unknown>;
}

const SECRET_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt'];

/**
 * An operator's secret must be as hard to guess as the ones PASS makes (32 random bytes): at least
 * 32 printable ASCII characters, no spaces. The refusal never repeats the value.
 */
export function checkOperatorSecret(secret: string): void {
  if (secret.length < 32 || secret.length > 512 || !/^[\x21-\x7e]+$/.test(secret)) {
    throw new InvalidInputError('invalid_client_secret', 'a client secret has 32 to 512 printable ASCII characters and no spaces');
  }
}

interface ClientRow {
  client_id: string;
  metadata: Record<string, unknown>;
  client_secret_sealed: string | null;
  facility_id: string | null;
  source: string;
  created_at: Date;
}

/** Validates metadata the way oidc-provider will read it (its own Client.validate). */
export type MetadataValidator = (metadata: ClientMetadata) => Promise<void>;

export class ClientService {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #validate: MetadataValidator;
  readonly #changed: (clientId: string) => Promise<void>;

  constructor(db: Database, box: SecretBox, validate: MetadataValidator, changed: (clientId: string) => Promise<void> = async () => {}) {
    this.#db = db;
    this.#box = box;
    this.#validate = validate;
    this.#changed = changed;
  }

  #toClient(row: ClientRow): RegisteredClient {
    const secret = row.client_secret_sealed ? this.#box.openText(row.client_secret_sealed, CLIENT_SECRET_AAD) : undefined;
    return {
      clientId: row.client_id,
      clientSecret: secret,
      facilityId: row.facility_id,
      metadata: { ...row.metadata, client_id: row.client_id },
      createdAt: row.created_at,
      source: row.source,
    };
  }

  async create(input: CreateClientInput): Promise<RegisteredClient> {
    const grantTypes = input.grantTypes ?? ['authorization_code', 'refresh_token'];
    const authMethod = input.tokenEndpointAuthMethod ?? 'client_secret_basic';
    const clientId = input.clientId ?? randomUUID();
    if (!/^[A-Za-z0-9._~-]{3,100}$/.test(clientId)) {
      throw new InvalidInputError('invalid_client_id', 'a client id has 3 to 100 letters, digits, ".", "_", "~" or "-"');
    }
    const needsSecret = SECRET_METHODS.includes(authMethod);
    if (input.clientSecret !== undefined) {
      if (!needsSecret) throw new InvalidInputError('client_secret_not_used', `a client using ${authMethod} has no client secret`);
      checkOperatorSecret(input.clientSecret);
    }
    const interactive = grantTypes.includes('authorization_code');
    if (!input.name?.trim()) throw new InvalidInputError('invalid_client_metadata', 'a client needs a name');
    if (input.facilityId && !(await facilityExists(this.#db, input.facilityId))) {
      throw new NotFoundError('facility_not_found', `no facility with id "${input.facilityId}"`);
    }
    const metadata: ClientMetadata = {
      client_id: clientId,
      client_name: input.name,
      ...(input.applicationType ? { application_type: input.applicationType } : {}),
      grant_types: grantTypes,
      response_types: interactive ? ['code'] : [],
      redirect_uris: input.redirectUris ?? [],
      ...(input.postLogoutRedirectUris?.length ? { post_logout_redirect_uris: input.postLogoutRedirectUris } : {}),
      token_endpoint_auth_method: authMethod,
      ...(input.jwksUri ? { jwks_uri: input.jwksUri } : {}),
      ...(input.jwks ? { jwks: input.jwks } : {}),
      ...(input.backchannelLogoutUri ? { backchannel_logout_uri: input.backchannelLogoutUri } : {}),
      ...(input.fapi ? { [PASS_FAPI]: true } : {}),
      // A facility's clients get pairwise subjects per facility sector by default (issue #6, src/claims).
      ...(input.facilityId ? { subject_type: 'pairwise' } : {}),
      ...input.extra,
    };
    if (needsSecret) metadata.client_secret = input.clientSecret ?? randomBytes(32).toString('base64url');
    try {
      await this.#validate({ ...metadata, ...(input.facilityId ? { [PASS_FACILITY]: input.facilityId } : {}) });
    } catch (error) {
      throw new InvalidInputError('invalid_client_metadata', (error as { error_description?: string }).error_description ?? (error as Error).message);
    }
    if (await this.#db('oidc_clients').where({ client_id: clientId }).first()) {
      throw new ConflictError('client_exists', `a client with id "${clientId}" already exists`);
    }
    // The facility lives in its column; the client adapter hands it to oidc-provider as pass_facility_id.
    const { client_secret: secret, [PASS_FACILITY]: _facility, ...stored } = metadata;
    const [row] = (await this.#db('oidc_clients')
      .insert({
        client_id: clientId,
        metadata: JSON.stringify(stored),
        client_secret_sealed: secret ? this.#box.seal(secret, CLIENT_SECRET_AAD) : null,
        facility_id: input.facilityId ?? null,
        source: 'admin',
      })
      .returning('*')) as ClientRow[];
    // A lookup of this id before it existed may be cached as "unknown".
    await this.#changed(clientId);
    return this.#toClient(row!);
  }

  async find(clientId: string): Promise<RegisteredClient | undefined> {
    const row = (await this.#db('oidc_clients').where({ client_id: clientId }).first()) as ClientRow | undefined;
    return row ? this.#toClient(row) : undefined;
  }

  async list(): Promise<RegisteredClient[]> {
    return ((await this.#db('oidc_clients').orderBy('created_at')) as ClientRow[]).map((r) => this.#toClient(r));
  }

  /**
   * Changes a client's registered metadata (scope, keys…), validated the way oidc-provider reads
   * it; a null value removes the property. Every node drops its cached copy at once.
   */
  async update(clientId: string, changes: Record<string, unknown>): Promise<RegisteredClient> {
    const current = await this.find(clientId);
    if (!current) throw new NotFoundError('client_not_found', `no client with id "${clientId}"`);
    const { client_secret: _none, ...metadata } = current.metadata;
    const secret = current.clientSecret;
    for (const [key, value] of Object.entries(changes)) {
      if (key === 'client_id' || key === 'client_secret' || key === PASS_FACILITY) continue;
      if (value === null) delete metadata[key];
      else metadata[key] = value;
    }
    try {
      await this.#validate({ ...metadata, client_id: clientId, ...(secret ? { client_secret: secret } : {}), ...(current.facilityId ? { [PASS_FACILITY]: current.facilityId } : {}) });
    } catch (error) {
      throw new InvalidInputError('invalid_client_metadata', (error as { error_description?: string }).error_description ?? (error as Error).message);
    }
    await this.#db('oidc_clients').where({ client_id: clientId }).update({ metadata: JSON.stringify(metadata), updated_at: new Date() });
    await this.#changed(clientId);
    return (await this.find(clientId))!;
  }

  /** A new secret for a client that authenticates with one; the old one stops working at once. */
  async rotateSecret(clientId: string): Promise<RegisteredClient> {
    const current = await this.find(clientId);
    if (!current) throw new NotFoundError('client_not_found', `no client with id "${clientId}"`);
    const method = String(current.metadata.token_endpoint_auth_method ?? 'client_secret_basic');
    if (!SECRET_METHODS.includes(method)) {
      throw new ConflictError('client_has_no_secret', 'this client authenticates without a client secret');
    }
    const secret = randomBytes(32).toString('base64url');
    await this.#db('oidc_clients').where({ client_id: clientId }).update({ client_secret_sealed: this.#box.seal(secret, CLIENT_SECRET_AAD), updated_at: new Date() });
    await this.#changed(clientId);
    return (await this.find(clientId))!;
  }

  async remove(clientId: string): Promise<void> {
    const deleted = await this.#db('oidc_clients').where({ client_id: clientId }).delete();
    if (deleted === 0) throw new NotFoundError('client_not_found', `no client with id "${clientId}"`);
    await this.#changed(clientId);
  }
}
