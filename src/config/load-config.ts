import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { ConfigurationError } from '../core/errors.ts';
import { VARIABLES, variablesSchema, type Variables } from './schema.ts';
import { digitalAgencyConfig, type DigitalAgencyConfig } from './digital-agency.ts';
import {
  DEV_COOKIE_KEYS,
  DEV_ENCRYPTION_KEYS,
  DEV_IDENTITY_HASH_KEY,
  DEV_PAIRWISE_SALT,
  isDevelopmentSecret,
} from './dev-defaults.ts';

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface Config {
  env: Variables['NODE_ENV'];
  production: boolean;
  port: number;
  host: string;
  issuer: string;
  trustProxy: boolean;
  dataDir: string;
  database: { url: string | undefined; poolMax: number; connectTimeoutSeconds: number; accountCacheSeconds: number };
  redisUrl: string | undefined;
  cookieKeys: string[];
  /** The first key encrypts; all of them decrypt (rotation). */
  encryptionKeys: EncryptionKey[];
  pairwiseSalt: string;
  identityHashKey: string;
  mail: { transport: 'outbox' | 'smtp'; smtpUrl: string | undefined; from: string };
  sms: { transport: 'outbox' | 'http'; gatewayUrl: string | undefined; gatewayToken: string | undefined };
  /** Sign-in at AAL2: remembered browsers and the passkeys' relying party. */
  signIn: { rememberDeviceDays: number; webauthn: { rpId: string; origins: string[] } };
  /** Sign-in, code sending and code checking, each counted per IP and per account in a fixed window. */
  rateLimits: { perIp: number; perAccount: number; windowSeconds: number };
  models: {
    dir: string;
    /** PASS_MODELS_MIRROR: a directory (resolved) or an http(s) base URL. */
    mirror: { directory: string } | { url: string } | undefined;
    /** Fetch missing models at start (src/face/models/provision.ts). */
    fetch: 'auto' | 'off';
    detector: string;
    recognizer: string;
    /** FACE_LANDMARKER; false for `none`. */
    landmarker: string | false;
    /** FACE_PAD_MODEL; false for `none` (presentation attacks not checked). */
    pad: string | false;
    /** FACE_POSE_MODEL; false for `none` (no active liveness challenge). */
    pose: string | false;
  };
  /** Face factor: inference workers, upload limit, decision thresholds (verify defaults to the recognizer's), 1:N method. */
  face: {
    workers: number;
    maxUploadBytes: number;
    verifyThreshold: number | undefined;
    identifyThreshold: number;
    search: 'auto' | 'exact' | 'int8' | 'binary';
    /** FACE_PAD_THRESHOLD; undefined: the PAD model's own. */
    padThreshold: number | undefined;
  };
  jpki: { trustAnchors: string[] | undefined; allowTestCards: boolean; crlSources: string[]; crlMaxAgeSeconds: number; challengeTtlSeconds: number };
  /** Proofing through the Digital Agency's app (src/config/digital-agency.ts); undefined: that path is off. */
  digitalAgency: DigitalAgencyConfig | undefined;
  demoData: boolean;
  /** The kiosk page's card bridge, and whether PASS runs the development simulator's bridge there itself. */
  kiosk: { cardBridgeUrl: string; cardSimulator: boolean };
  ttl: {
    accessToken: number;
    clientCredentials: number;
    idToken: number;
    refreshToken: number;
    session: number;
    grant: number;
  };
  keyRefreshSeconds: number;
  purgeIntervalSeconds: number;
  /** The wallet's credential issuer (src/wallet): validity per credential type in days, status list lifetime, revocation review interval. */
  wallet: { validityDays: { verifiedResident: number; age: number; residency: number }; statusListTtlSeconds: number; statusListExpirySeconds: number; reviewSeconds: number };
  /** Days check-ins are kept where the facility's claim policy names no retention period. */
  checkinRetentionDays: number;
  shutdownTimeoutSeconds: number;
  /**
   * Who may read GET /metrics: with a token, whoever sends it as a bearer token; `open`, anyone
   * who reaches the port; neither, loopback outside production and nobody in production.
   */
  metrics: { token: string | undefined; open: boolean };
  /** Processes serving one port (node:cluster); each is a stateless PASS node. */
  workers: number;
  logLevel: Variables['LOG_LEVEL'];
}

type RawValues = Record<string, unknown>;

/** config/<NODE_ENV>.json, or the file PASS_CONFIG_FILE names, as a flat object of variables. */
function readConfigFile(env: NodeJS.ProcessEnv, cwd: string, problems: string[]): RawValues {
  const explicit = env.PASS_CONFIG_FILE;
  const file = explicit ?? path.join(cwd, 'config', `${env.NODE_ENV ?? 'development'}.json`);
  if (!existsSync(file)) {
    if (explicit) problems.push(`PASS_CONFIG_FILE: ${file} does not exist`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      problems.push(`${file}: must be a JSON object of configuration variables`);
      return {};
    }
    for (const key of Object.keys(parsed)) {
      if (!(key in VARIABLES)) problems.push(`${file}: unknown setting ${key}`);
    }
    return parsed as RawValues;
  } catch (error) {
    problems.push(`${file}: not valid JSON (${(error as Error).message})`);
    return {};
  }
}

function parseEncryptionKeys(values: string[], problems: string[]): EncryptionKey[] {
  const keys: EncryptionKey[] = [];
  for (const value of values) {
    const match = /^([A-Za-z0-9_-]{1,32}):(.+)$/.exec(value);
    const key = match ? Buffer.from(match[2]!, 'base64') : undefined;
    if (!match || !key || key.length !== 32) {
      problems.push('PASS_ENCRYPTION_KEYS: each entry must be "<id>:<32 bytes in base64>"');
      continue;
    }
    keys.push({ id: match[1]!, key });
  }
  return keys;
}

function productionProblems(v: Variables, issuer: string): string[] {
  const problems: string[] = [];
  if (!issuer.startsWith('https://')) problems.push('ISSUER: must be an https:// URL in production');
  if (!v.DATABASE_URL) problems.push('DATABASE_URL: required in production (the embedded database is for development)');
  const secrets: Array<[string, string[] | string | undefined]> = [
    ['PASS_COOKIE_KEYS', v.PASS_COOKIE_KEYS],
    ['PASS_ENCRYPTION_KEYS', v.PASS_ENCRYPTION_KEYS],
    ['PASS_PAIRWISE_SALT', v.PASS_PAIRWISE_SALT],
    ['PASS_IDENTITY_HASH_KEY', v.PASS_IDENTITY_HASH_KEY],
  ];
  for (const [name, value] of secrets) {
    const values = Array.isArray(value) ? value : value ? [value] : [];
    if (values.length === 0) problems.push(`${name}: required in production`);
    else if (values.some(isDevelopmentSecret)) problems.push(`${name}: development keys are refused in production`);
  }
  if (v.PASS_COOKIE_KEYS?.some((k) => k.length < 32)) problems.push('PASS_COOKIE_KEYS: each key needs 32 characters or more');
  if (!v.JPKI_TRUST_ANCHORS?.length) problems.push('JPKI_TRUST_ANCHORS: required in production (the JPKI root certificates)');
  if (v.JPKI_ALLOW_TEST_CARDS) problems.push('JPKI_ALLOW_TEST_CARDS: test cards and test trust anchors are refused in production');
  if (v.MAIL_TRANSPORT === 'outbox') problems.push('MAIL_TRANSPORT: the outbox is development-only; use smtp in production');
  if (v.SMS_TRANSPORT === 'outbox') problems.push('SMS_TRANSPORT: the outbox is development-only; use http in production');
  if (v.PASS_DEMO_DATA) problems.push('PASS_DEMO_DATA: demo data is refused in production');
  if (v.KIOSK_CARD_SIMULATOR) problems.push('KIOSK_CARD_SIMULATOR: the development card simulator is refused in production (a kiosk uses a real card reader and its card bridge)');
  return problems;
}

function transportProblems(v: Variables): string[] {
  const problems: string[] = [];
  if (v.MAIL_TRANSPORT === 'smtp' && !v.SMTP_URL) problems.push('SMTP_URL: required when MAIL_TRANSPORT=smtp');
  if (v.SMS_TRANSPORT === 'http' && !v.SMS_GATEWAY_URL) problems.push('SMS_GATEWAY_URL: required when SMS_TRANSPORT=http');
  return problems;
}

/**
 * Reads, validates and normalises the configuration once. Throws a ConfigurationError that lists
 * every problem, one line each, so an operator fixes them all in one go.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const fromFile = readConfigFile(env, cwd, problems);
  const raw: RawValues = { ...fromFile };
  for (const name of Object.keys(VARIABLES)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const parsed = variablesSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.') || 'config'}: ${issue.message}`);
    throw new ConfigurationError(problems);
  }
  const v = parsed.data;
  const production = v.NODE_ENV === 'production';
  const issuer = (v.ISSUER ?? `http://localhost:${v.PORT}`).replace(/\/$/, '');
  if (production) problems.push(...productionProblems(v, issuer));
  problems.push(...transportProblems(v));
  if (v.METRICS_TOKEN && v.METRICS_OPEN) problems.push('METRICS_OPEN: /metrics cannot be open and ask for METRICS_TOKEN at once; drop one of them');
  if (!v.DATABASE_URL && v.PASS_WORKERS !== 1) {
    problems.push('PASS_WORKERS: several workers need PostgreSQL (DATABASE_URL); the embedded database is single-process');
  }
  const encryptionKeys = parseEncryptionKeys(v.PASS_ENCRYPTION_KEYS ?? DEV_ENCRYPTION_KEYS, problems);
  const digitalAgency = digitalAgencyConfig(v, issuer, production, cwd, problems);
  if (problems.length > 0) throw new ConfigurationError(problems);

  const dataDir = path.resolve(cwd, v.PASS_DATA_DIR);
  return {
    env: v.NODE_ENV,
    production,
    port: v.PORT,
    host: v.HOST,
    issuer,
    trustProxy: v.TRUST_PROXY,
    dataDir,
    database: { url: v.DATABASE_URL, poolMax: v.DATABASE_POOL_MAX, connectTimeoutSeconds: v.DATABASE_CONNECT_TIMEOUT_SECONDS, accountCacheSeconds: v.ACCOUNT_CACHE_SECONDS },
    redisUrl: v.REDIS_URL,
    cookieKeys: v.PASS_COOKIE_KEYS ?? DEV_COOKIE_KEYS,
    encryptionKeys,
    pairwiseSalt: v.PASS_PAIRWISE_SALT ?? DEV_PAIRWISE_SALT,
    identityHashKey: v.PASS_IDENTITY_HASH_KEY ?? DEV_IDENTITY_HASH_KEY,
    mail: { transport: v.MAIL_TRANSPORT, smtpUrl: v.SMTP_URL, from: v.MAIL_FROM },
    sms: { transport: v.SMS_TRANSPORT, gatewayUrl: v.SMS_GATEWAY_URL, gatewayToken: v.SMS_GATEWAY_TOKEN },
    signIn: {
      rememberDeviceDays: v.REMEMBER_DEVICE_DAYS,
      webauthn: { rpId: v.WEBAUTHN_RP_ID ?? new URL(issuer).hostname, origins: [new URL(issuer).origin, ...v.WEBAUTHN_ORIGINS.map((o) => o.replace(/\/$/, ''))] },
    },
    rateLimits: { perIp: v.RATE_LIMIT_PER_IP, perAccount: v.RATE_LIMIT_PER_ACCOUNT, windowSeconds: v.RATE_LIMIT_WINDOW_SECONDS },
    models: {
      dir: path.resolve(cwd, v.PASS_MODELS_DIR),
      mirror: !v.PASS_MODELS_MIRROR
        ? undefined
        : /^https?:\/\//i.test(v.PASS_MODELS_MIRROR)
          ? { url: v.PASS_MODELS_MIRROR }
          : { directory: path.resolve(cwd, v.PASS_MODELS_MIRROR) },
      // Development starts with everything on; a production image ships its models or an init step fetches them.
      fetch: v.PASS_MODELS_FETCH ?? (v.NODE_ENV === 'development' ? 'auto' : 'off'),
      detector: v.FACE_DETECTOR,
      recognizer: v.FACE_RECOGNIZER,
      landmarker: v.FACE_LANDMARKER === 'none' ? false : v.FACE_LANDMARKER,
      pad: v.FACE_PAD_MODEL === 'none' ? false : v.FACE_PAD_MODEL,
      pose: v.FACE_POSE_MODEL === 'none' ? false : v.FACE_POSE_MODEL,
    },
    face: {
      workers: v.FACE_WORKERS,
      maxUploadBytes: v.FACE_MAX_UPLOAD_BYTES,
      verifyThreshold: v.FACE_VERIFY_THRESHOLD,
      identifyThreshold: v.FACE_IDENTIFY_THRESHOLD,
      search: v.FACE_SEARCH,
      padThreshold: v.FACE_PAD_THRESHOLD,
    },
    jpki: {
      trustAnchors: v.JPKI_TRUST_ANCHORS?.map((p) => path.resolve(cwd, p)),
      allowTestCards: v.JPKI_ALLOW_TEST_CARDS ?? !production,
      crlSources: v.JPKI_CRL_SOURCES,
      crlMaxAgeSeconds: v.JPKI_CRL_MAX_AGE_SECONDS,
      challengeTtlSeconds: v.JPKI_CHALLENGE_TTL_SECONDS,
    },
    digitalAgency,
    demoData: v.PASS_DEMO_DATA ?? !production,
    kiosk: { cardBridgeUrl: v.KIOSK_CARD_BRIDGE_URL.replace(/\/$/, ''), cardSimulator: v.KIOSK_CARD_SIMULATOR ?? v.NODE_ENV === 'development' },
    ttl: {
      accessToken: v.ACCESS_TOKEN_TTL_SECONDS,
      clientCredentials: v.CLIENT_CREDENTIALS_TTL_SECONDS,
      idToken: v.ID_TOKEN_TTL_SECONDS,
      refreshToken: v.REFRESH_TOKEN_TTL_SECONDS,
      session: v.SESSION_TTL_SECONDS,
      grant: v.GRANT_TTL_SECONDS,
    },
    keyRefreshSeconds: v.KEY_REFRESH_SECONDS,
    purgeIntervalSeconds: v.PURGE_INTERVAL_SECONDS,
    wallet: {
      validityDays: { verifiedResident: v.WALLET_VERIFIED_RESIDENT_DAYS, age: v.WALLET_AGE_DAYS, residency: v.WALLET_RESIDENCY_DAYS },
      statusListTtlSeconds: v.WALLET_STATUS_LIST_TTL_SECONDS,
      statusListExpirySeconds: v.WALLET_STATUS_LIST_EXPIRY_SECONDS,
      reviewSeconds: v.WALLET_REVIEW_SECONDS,
    },
    checkinRetentionDays: v.CHECKIN_RETENTION_DAYS,
    shutdownTimeoutSeconds: v.SHUTDOWN_TIMEOUT_SECONDS,
    metrics: { token: v.METRICS_TOKEN, open: v.METRICS_OPEN },
    workers: v.PASS_WORKERS === 'auto' ? availableParallelism() : v.PASS_WORKERS,
    logLevel: v.LOG_LEVEL,
  };
}
