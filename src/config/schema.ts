/**
 * The one configuration schema of PASS. Every setting is named like its environment variable;
 * files under config/ (JSON objects with the same names) supply values that the environment
 * overrides. README.md documents every entry of VARIABLES.
 */
import { z } from 'zod';

const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

const seconds = z.coerce.number().int().positive();

const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const VARIABLES = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  ISSUER: httpUrl.optional(),
  TRUST_PROXY: bool.default(false),
  PASS_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\/[^/]/.test(v) && URL.canParse(v), {
      message: 'must be a postgres:// or postgresql:// URL',
    })
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DATABASE_CONNECT_TIMEOUT_SECONDS: seconds.default(5),
  // 0 turns the account cache off: needed where LISTEN cannot work (a transaction-pooling PgBouncer).
  ACCOUNT_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  REDIS_URL: z
    .string()
    // unix:///path/redis.sock for a Redis on the same machine: no TCP stack on every command.
    .refine((v) => (/^rediss?:\/\/./.test(v) || /^unix:\/\/\/./.test(v)) && URL.canParse(v), {
      message: 'must be a redis://, rediss:// or unix:///path/to/redis.sock URL',
    })
    .optional(),
  PASS_COOKIE_KEYS: list.optional(),
  PASS_ENCRYPTION_KEYS: list.optional(),
  PASS_PAIRWISE_SALT: z.string().min(16).optional(),
  PASS_IDENTITY_HASH_KEY: z.string().min(16).optional(),
  MAIL_TRANSPORT: z.enum(['outbox', 'smtp']).default('outbox'),
  SMTP_URL: z.string().refine((v) => /^smtps?:\/\/./.test(v), { message: 'must be an smtp:// or smtps:// URL' }).optional(),
  MAIL_FROM: z.string().min(3).default('PASS <no-reply@pass.localhost>'),
  SMS_TRANSPORT: z.enum(['outbox', 'http']).default('outbox'),
  SMS_GATEWAY_URL: httpUrl.optional(),
  SMS_GATEWAY_TOKEN: z.string().min(1).optional(),
  /** Days a browser remembered after a second factor signs in with the password alone; 0 turns it off. */
  REMEMBER_DEVICE_DAYS: z.coerce.number().int().min(0).max(90).default(30),
  /** Passkeys' relying party id: the issuer's host name, or a parent domain of it (WebAuthn §5.1.4.1). */
  WEBAUTHN_RP_ID: z.string().regex(/^[a-z0-9.-]{1,253}$/, 'must be a host name').optional(),
  /** Further origins whose pages may register and use passkeys (where the PASS app is served apart from PASS). */
  WEBAUTHN_ORIGINS: list.default([]),
  RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_WINDOW_SECONDS: seconds.default(600),
  PASS_MODELS_DIR: z.string().min(1).default('./models'),
  /** Where missing face models come from instead of their public URLs: a directory or an http(s) base URL, files flat under their manifest names. */
  PASS_MODELS_MIRROR: z
    .string()
    .min(1)
    .refine((v) => !/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(v) || (/^https?:\/\//i.test(v) && URL.canParse(v)), {
      message: 'must be a directory path or an http(s):// base URL',
    })
    // fetch() refuses credentials in a URL, and a log line must never carry them.
    .refine((v) => !/^https?:\/\/[^/]*@/i.test(v), { message: 'must not carry credentials (user:password@)' })
    .optional(),
  /** auto: fetch missing face models in the background at start (default in development); off: never (default elsewhere). */
  PASS_MODELS_FETCH: z.enum(['auto', 'off']).optional(),
  FACE_DETECTOR: z.string().min(1).default('yunet_s_640'),
  FACE_RECOGNIZER: z.string().min(1).default('mobilefacenet_512'),
  /** The landmark model alignment uses (docs/face.md, "Alignment"); `none` keeps the fast detector's own landmarks. */
  FACE_LANDMARKER: z.string().min(1).default('scrfd_2.5g'),
  /** The passive presentation-attack (liveness) model scoring every face photo (docs/face.md, "PAD"); `none`: not checked. */
  FACE_PAD_MODEL: z.string().min(1).default('fr_liveness'),
  /** Probability of live below which a photo counts as an attack; default the model's (manifest). */
  FACE_PAD_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
  /** The head-pose model of the active liveness challenge (docs/face.md, "Active liveness"); `none`: no challenge. */
  FACE_POSE_MODEL: z.string().min(1).default('fr_pose'),
  FACE_WORKERS: z.coerce.number().int().min(1).max(16).default(2),
  FACE_MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).max(15 * 1024 * 1024).default(10 * 1024 * 1024),
  FACE_VERIFY_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
  /** 1:N decision; 0.48 measured on ../shared/faces among 100,000 distractors (docs/face.md, "Threshold"). */
  FACE_IDENTIFY_THRESHOLD: z.coerce.number().min(0).max(1).default(0.48),
  FACE_SEARCH: z.enum(['auto', 'exact', 'int8', 'binary']).default('auto'),
  JPKI_TRUST_ANCHORS: list.optional(),
  JPKI_ALLOW_TEST_CARDS: bool.optional(),
  JPKI_CRL_SOURCES: list.default([]),
  JPKI_CRL_MAX_AGE_SECONDS: seconds.default(86400),
  JPKI_CHALLENGE_TTL_SECONDS: z.coerce.number().int().min(1).max(1800).default(300),
  /** The Digital Agency's authorization server (デジタル認証アプリ), production or sandbox; unset outside production: PASS's stand-in. */
  DIGITAL_AGENCY_ISSUER: httpUrl.optional(),
  /** The client id the Digital Agency registered for PASS (its API reference: 1–255 letters and digits). */
  DIGITAL_AGENCY_CLIENT_ID: z.string().regex(/^[0-9A-Za-z]{1,255}$/, 'must be 1–255 letters and digits, as the Digital Agency issues it').optional(),
  /** PASS's private key for private_key_jwt: an inline private JWK, or the path of a PEM or JWK file. */
  DIGITAL_AGENCY_SIGNING_KEY: z.string().min(1).optional(),
  /** The redirect URI registered with the Digital Agency; default <ISSUER>/app/identity/digital-agency/callback. */
  DIGITAL_AGENCY_REDIRECT: httpUrl.optional(),
  PASS_DEMO_DATA: bool.optional(),
  /** Where the kiosk page finds its card bridge on the kiosk machine: a loopback http URL (docs/card.md, "Readers"). */
  KIOSK_CARD_BRIDGE_URL: z
    .string()
    .refine((v) => URL.canParse(v) && /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(v), {
      message: 'must be the loopback URL of the card bridge, http://127.0.0.1:<port> or http://localhost:<port> / カードブリッジのループバック URL にしてください',
    })
    .default('http://127.0.0.1:47213'),
  /** Run a card bridge inside PASS with the development card simulator at KIOSK_CARD_BRIDGE_URL (default in development; refused in production). */
  KIOSK_CARD_SIMULATOR: bool.optional(),
  ACCESS_TOKEN_TTL_SECONDS: seconds.default(3600),
  CLIENT_CREDENTIALS_TTL_SECONDS: seconds.default(600),
  ID_TOKEN_TTL_SECONDS: seconds.default(3600),
  REFRESH_TOKEN_TTL_SECONDS: seconds.default(14 * 86400),
  SESSION_TTL_SECONDS: seconds.default(14 * 86400),
  GRANT_TTL_SECONDS: seconds.default(365 * 86400),
  KEY_REFRESH_SECONDS: seconds.default(30),
  PURGE_INTERVAL_SECONDS: seconds.default(300),
  /** Days a wallet credential is valid, per type (docs/wallet.md, "Issuer"): facts that change often live shorter. */
  WALLET_VERIFIED_RESIDENT_DAYS: z.coerce.number().int().min(1).max(1825).default(365),
  WALLET_AGE_DAYS: z.coerce.number().int().min(1).max(1825).default(365),
  WALLET_RESIDENCY_DAYS: z.coerce.number().int().min(1).max(1825).default(90),
  /** How long a published status list token is valid (its exp and ttl) and cached. */
  WALLET_STATUS_LIST_TTL_SECONDS: z.coerce.number().int().min(10).max(86400).default(300),
  // A list's own expiry: an offline kiosk may go on using the one it holds this long at most (its facility's limit is at most 7 days).
  WALLET_STATUS_LIST_EXPIRY_SECONDS: z.coerce.number().int().min(60).max(30 * 86400).default(7 * 86400),
  /** How often live credentials are checked against revoked cards, households and addresses. */
  WALLET_REVIEW_SECONDS: z.coerce.number().int().min(1).max(86400).default(900),
  /** Check-ins of a facility without a retention period in its claim policy are kept this many days. */
  CHECKIN_RETENTION_DAYS: z.coerce.number().int().min(1).max(36500).default(365),
  SHUTDOWN_TIMEOUT_SECONDS: seconds.default(15),
  /** The bearer token a scraper must send for GET /metrics (docs/operations.md). */
  METRICS_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9._~+/=-]{32,512}$/, 'must be 32 to 512 characters of A-Z a-z 0-9 . _ ~ + / = - (e.g. openssl rand -hex 32)')
    .optional(),
  /** Serve /metrics without a token to anyone who reaches the port: only where the port is on a private network. */
  METRICS_OPEN: bool.default(false),
  PASS_WORKERS: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(64)]).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
} as const;

export const variablesSchema = z.object(VARIABLES);
export type Variables = z.output<typeof variablesSchema>;
export type VariableName = keyof typeof VARIABLES;
