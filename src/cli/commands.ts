import type { Platform } from '../platform.ts';
import type { OidcModule } from '../oidc/oidc-module.ts';
import { KEYS_CHANNEL } from '../oidc/oidc-module.ts';
import { signingOverlapSeconds } from '../oidc/provider-config.ts';
import { seedDemoData } from '../demo/seed.ts';
import { readCatalog } from '../facilities/facility-service.ts';
import { InvalidInputError } from '../core/errors.ts';
import type { AccountRole } from '../identity/accounts.ts';
import { applicationType, readJwks, readSecretFile, integer } from './client-options.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import { WalletKeys, WALLET_KEYS_CHANNEL } from '../wallet/issuer-keys.ts';

export type Flags = Record<string, string | string[] | boolean | undefined>;

export interface CommandContext {
  platform: Platform;
  oidc: () => Promise<OidcModule>;
  flags: Flags;
}

/** What a command returns: the data for --json, and the lines a person reads. */
export interface CommandResult {
  data: unknown;
  lines: string[];
  /** A finding rather than a failure to run (a broken audit chain): the lines are printed, then this exit status. */
  exitCode?: number;
}

function required(flags: Flags, name: string): string {
  const value = flags[name];
  if (typeof value !== 'string' || value === '') throw new InvalidInputError('missing_option', `--${name} is required`);
  return value;
}

function optional(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function many(flags: Flags, name: string): string[] {
  const value = flags[name];
  const values = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

const ROLES: AccountRole[] = ['resident', 'staff', 'admin'];

export const COMMANDS: Record<string, { usage: string; run(ctx: CommandContext): Promise<CommandResult> }> = {
  migrate: {
    usage: 'migrate                      apply database migrations',
    async run() {
      // openPlatform already applied them for this command.
      return { data: { migrated: true }, lines: ['database schema is up to date'] };
    },
  },
  seed: {
    usage: 'seed                         load municipalities, facilities and (outside production) demo data',
    async run({ platform, oidc }) {
      if (platform.config.production) {
        const counts = await platform.facilities.importCatalog(readCatalog());
        return { data: counts, lines: [`imported ${counts.municipalities} municipalities and ${counts.facilities} facilities`] };
      }
      const report = await seedDemoData(platform, (await oidc()).clients);
      return {
        data: report,
        lines: [
          `imported ${report.municipalities} municipalities and ${report.facilities} facilities`,
          `clients created: ${report.clientsCreated.join(', ') || 'none (already there)'}`,
          `accounts created: ${report.accountsCreated.join(', ') || 'none (already there)'}`,
        ],
      };
    },
  },
  'keys list': {
    usage: 'keys list                    show signing keys and their state',
    async run({ platform }) {
      await platform.keys.ensure();
      const keys = await platform.keys.list();
      return { data: keys, lines: keys.map((k) => `${k.status.padEnd(8)} ${k.alg}  ${k.kid}${k.expiresAt ? `  verifies until ${k.expiresAt.toISOString()}` : ''}`) };
    },
  },
  'keys rotate': {
    usage: 'keys rotate                  promote the published next key to signing, retire the old one',
    async run({ platform }) {
      await platform.keys.ensure();
      const keys = await platform.keys.rotate(signingOverlapSeconds(platform.config));
      await platform.bus.publish(KEYS_CHANNEL, 'rotated');
      const lines = keys.map((k) => `${k.status.padEnd(8)} ${k.alg}  ${k.kid}`);
      lines.push(
        platform.redis
          ? 'running nodes were notified and switch now'
          : `running nodes switch within ${platform.config.keyRefreshSeconds} seconds`,
      );
      return { data: keys, lines };
    },
  },
  'wallet-keys list': {
    usage: 'wallet-keys list             show the wallet credential issuer\'s signing keys',
    async run({ platform }) {
      const keys = new WalletKeys(platform.db, platform.box, 0);
      await keys.ensure();
      const list = await keys.list();
      return { data: list, lines: list.map((k) => `${k.status.padEnd(8)} ES256  ${k.kid}${k.expiresAt ? `  published until ${k.expiresAt.toISOString()}` : ''}`) };
    },
  },
  'wallet-keys rotate': {
    usage: 'wallet-keys rotate           promote the wallet\'s next key; the old one stays published until its credentials expire',
    async run({ platform }) {
      const keys = new WalletKeys(platform.db, platform.box, 0);
      await keys.ensure();
      const list = await keys.rotate();
      await platform.bus.publish(WALLET_KEYS_CHANNEL, 'rotated');
      const lines = list.map((k) => `${k.status.padEnd(8)} ES256  ${k.kid}${k.expiresAt ? `  published until ${k.expiresAt.toISOString()}` : ''}`);
      lines.push(platform.redis ? 'running nodes were notified and switch now' : `running nodes switch within ${platform.config.keyRefreshSeconds} seconds`);
      return { data: list, lines };
    },
  },
  'client create': {
    usage:
      'client create --name N [--redirect-uri U]... [--post-logout-redirect-uri U]... [--grant-types a,b]\n' +
      '              [--auth-method client_secret_basic|client_secret_post|private_key_jwt|none] [--facility ID] [--client-id ID]\n' +
      '              [--application-type web|native] [--secret-file PATH (mode 600: your own secret, never shown)]\n' +
      '              [--jwks-uri U | --jwks JSON|@file] [--fapi] [--backchannel-logout-uri U]',
    async run({ flags, oidc }) {
      const secretFile = optional(flags, 'secret-file');
      const client = await (await oidc()).clients.create({
        name: required(flags, 'name'),
        applicationType: applicationType(optional(flags, 'application-type')),
        clientSecret: readSecretFile(secretFile),
        clientId: optional(flags, 'client-id'),
        redirectUris: many(flags, 'redirect-uri'),
        postLogoutRedirectUris: many(flags, 'post-logout-redirect-uri'),
        grantTypes: many(flags, 'grant-types').length ? many(flags, 'grant-types') : undefined,
        tokenEndpointAuthMethod: optional(flags, 'auth-method'),
        facilityId: optional(flags, 'facility'),
        jwksUri: optional(flags, 'jwks-uri'),
        jwks: readJwks(optional(flags, 'jwks')),
        fapi: flags.fapi === true,
        backchannelLogoutUri: optional(flags, 'backchannel-logout-uri'),
      });
      // A secret PASS made is shown once, here; the operator's own never is.
      const shown = secretFile === undefined ? client.clientSecret : undefined;
      const data = { ...client.metadata, ...(shown ? { client_secret: shown } : {}), facility_id: client.facilityId };
      const lines = [`created client ${client.clientId}`];
      if (shown) lines.push(`client secret (shown once here, keep it safe): ${shown}`);
      else if (client.clientSecret) lines.push(`client secret: the one in ${secretFile} (not shown)`);
      return { data, lines };
    },
  },
  'client update': {
    usage:
      'client update --client-id ID [--name N] [--redirect-uri U]... [--post-logout-redirect-uri U]...\n' +
      '              [--application-type web|native] [--backchannel-logout-uri U]   (the URIs given replace the registered ones)',
    async run({ flags, oidc }) {
      const clientId = required(flags, 'client-id');
      const changes: Record<string, unknown> = {};
      const name = optional(flags, 'name');
      const type = applicationType(optional(flags, 'application-type'));
      const backchannel = optional(flags, 'backchannel-logout-uri');
      if (name) changes.client_name = name;
      if (type) changes.application_type = type;
      if (many(flags, 'redirect-uri').length) changes.redirect_uris = many(flags, 'redirect-uri');
      if (many(flags, 'post-logout-redirect-uri').length) changes.post_logout_redirect_uris = many(flags, 'post-logout-redirect-uri');
      if (backchannel) changes.backchannel_logout_uri = backchannel;
      if (Object.keys(changes).length === 0) throw new InvalidInputError('missing_option', 'give at least one thing to change');
      const client = await (await oidc()).clients.update(clientId, changes);
      const data = { ...client.metadata, facility_id: client.facilityId };
      return { data, lines: [`updated client ${client.clientId}: ${Object.keys(changes).join(', ')}`] };
    },
  },
  'client list': {
    usage: 'client list                  list registered clients (without secrets)',
    async run({ oidc }) {
      const clients = await (await oidc()).clients.list();
      const data = clients.map((c) => ({
        client_id: c.clientId,
        client_name: c.metadata.client_name,
        facility_id: c.facilityId,
        grant_types: c.metadata.grant_types,
        redirect_uris: c.metadata.redirect_uris,
      }));
      return { data, lines: data.map((c) => `${c.client_id}  ${String(c.client_name ?? '')}  [${(c.grant_types as string[] | undefined)?.join(', ') ?? ''}]`) };
    },
  },
  'client delete': {
    usage: 'client delete --client-id ID    remove a client (its tokens stop working)',
    async run({ flags, oidc }) {
      const clientId = required(flags, 'client-id');
      await (await oidc()).clients.remove(clientId);
      return { data: { client_id: clientId, deleted: true }, lines: [`deleted client ${clientId}`] };
    },
  },
  'client iat': {
    usage: 'client iat [--facility ID] [--ttl SECONDS]   mint an initial access token for Dynamic Client Registration',
    async run({ flags, oidc }) {
      const module = await oidc();
      const minted = await module.initialAccessTokens.mint(module.host.provider, { facilityId: optional(flags, 'facility'), ttlSeconds: integer(optional(flags, 'ttl'), 'ttl') });
      const data = { initial_access_token: minted.token, facility_id: minted.facilityId, expires_at: minted.expiresAt.toISOString() };
      return {
        data,
        lines: [
          `initial access token (give it to the integrator; it works until ${data.expires_at}): ${minted.token}`,
          minted.facilityId ? `clients registered with it belong to facility ${minted.facilityId}` : 'clients registered with it belong to no facility',
        ],
      };
    },
  },
  'resource-server create': {
    usage: 'resource-server create --identifier URI --name N --scopes a,b [--format jwt|opaque] [--ttl SECONDS] [--facility ID]',
    async run({ flags, oidc }) {
      const format = optional(flags, 'format');
      if (format !== undefined && format !== 'jwt' && format !== 'opaque') throw new InvalidInputError('invalid_format', '--format must be jwt or opaque');
      const ttl = integer(optional(flags, 'ttl'), 'ttl');
      const facility = optional(flags, 'facility');
      const server = await (await oidc()).resourceServers.create({
        identifier: required(flags, 'identifier'),
        name: required(flags, 'name'),
        scopes: many(flags, 'scopes'),
        ...(format ? { tokenFormat: format } : {}),
        ...(ttl !== undefined ? { accessTokenTtl: ttl } : {}),
        ...(facility ? { facilityId: facility } : {}),
      });
      return { data: server, lines: [`registered resource server ${server.identifier} (${server.tokenFormat} access tokens; scopes: ${server.scopes.join(' ')})`] };
    },
  },
  'resource-server list': {
    usage: 'resource-server list         list registered resource servers',
    async run({ oidc }) {
      const servers = await (await oidc()).resourceServers.list();
      return { data: servers, lines: servers.map((r) => `${r.identifier}  ${r.name}  ${r.tokenFormat}  [${r.scopes.join(' ')}]`) };
    },
  },
  'audit verify': {
    usage: 'audit verify                 walk the audit hash chain; exit 1 at the first broken link',
    async run({ platform }) {
      const report = await verifyAuditChain(platform.db);
      if (report.ok) {
        return { data: report, lines: [`audit chain OK: ${report.count} entries, head ${report.headSeq} ${report.headHash}`] };
      }
      const { broken } = report;
      return {
        data: report,
        exitCode: 1,
        lines: [
          `audit chain BROKEN after ${report.count} good entries`,
          broken.id === null ? `first broken link: the chain head (${broken.field})` : `first broken link: id ${broken.id} (seq ${broken.seq}), ${broken.field}`,
          `  expected: ${broken.expected}`,
          `  found:    ${broken.found}`,
        ],
      };
    },
  },
  'user create': {
    usage: 'user create --email E --password P [--phone 090XXXXXXXX] [--role resident|staff|admin]',
    async run({ platform, flags }) {
      const role = (optional(flags, 'role') ?? 'resident') as AccountRole;
      if (!ROLES.includes(role)) throw new InvalidInputError('invalid_role', `--role must be one of ${ROLES.join(', ')}`);
      const account = await platform.accounts.create({
        email: required(flags, 'email'),
        password: required(flags, 'password'),
        phone: optional(flags, 'phone'),
        role,
        verified: true,
      });
      return { data: account, lines: [`created ${account.role} ${account.email} (${account.id})`] };
    },
  },
};
