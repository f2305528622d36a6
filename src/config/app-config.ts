import * as Joi from 'joi';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';

/** A limit of `limit` hits per `ttlSeconds`, written `10/60` in the environment. */
export interface RateLimit {
  limit: number;
  ttlSeconds: number;
}

/** Where media files live (docs/api.md, Operations). */
export type StorageConfig =
  | { driver: 'local' }
  | {
      driver: 's3';
      /** Empty for AWS (the region's endpoint); MinIO, R2, NCP: their URL. */
      endpoint: string | null;
      /**
       * The endpoint presigned URLs name, when clients reach the bucket by another address
       * than this service does (e.g. `http://localhost:9000` for a MinIO inside Compose).
       */
      publicEndpoint: string | null;
      region: string;
      bucket: string;
      /** Null: the SDK's default credential chain (instance role, AWS_* variables). */
      credentials: { accessKeyId: string; secretAccessKey: string } | null;
      /** Path-style URLs (`endpoint/bucket/key`): MinIO, NCP and most S3-compatible stores. */
      forcePathStyle: boolean;
      /** Lifetime of the presigned URLs `/uploads/<key>` redirects to. */
      presignTtlSeconds: number;
      /** Connect timeout, and how long a request may go without a byte before it fails. */
      timeoutMs: number;
      /**
       * `WHEN_REQUIRED`: no flexible checksums (no `aws-chunked` bodies with trailers), which
       * several S3-compatible stores would otherwise keep verbatim in the object.
       */
      checksums: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
    };

/** What a process does (docs/api.md, Operations): serve HTTP and sockets, run jobs, or both. */
export type ProcessRole = 'all' | 'api' | 'worker';

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  /**
   * The service's own folder: the SQLite file's (`./data` by default), also where a generated
   * JWT secret is kept outside production.
   */
  dataDir: string;
  /** Warnings for the start-up log: settings without effect, where a generated JWT secret is. */
  startUpWarnings: string[];
  /** `api` and `worker` need REDIS_URL: the queue is how they share the jobs. */
  processRole: ProcessRole;
  port: number;
  logLevel: string;
  database:
    | {
        type: 'mysql';
        /** `mariadb://` URLs select TypeORM's MariaDB dialect (it reads MariaDB's catalog right). */
        flavor: 'mysql' | 'mariadb';
        url: string;
        migrationsRun: boolean;
        logging: boolean;
      }
    | { type: 'sqlite'; path: string; logging: boolean };
  /**
   * Upper bound for one statement and for the wait for a pooled connection; past it the
   * request answers 503 SERVICE_UNAVAILABLE (docs/api.md, Operations).
   */
  dbQueryTimeoutMs: number;
  redisUrl: string | null;
  /**
   * Prefix of every key and channel this deployment uses in Redis: job queues, rate-limit
   * counters, the socket adapter's channels. Deployments (or test runs) sharing one Redis each
   * have their own.
   */
  redisKeyPrefix: string;
  jobs: {
    /** Jobs one process runs at once per queue (sharp/ffmpeg have their own, tighter bound). */
    concurrency: number;
  };
  jwt: {
    secret: string;
    /**
     * True when no JWT_SECRET was given: a random one was made here, which the start-up
     * replaces with the one kept in the data folder (see `start-up.ts`).
     */
    secretGenerated: boolean;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
  };
  kakao: {
    clientId: string | null;
    clientSecret: string | null;
    callbackUrl: string;
    authUrl: string;
    apiUrl: string;
    timeoutMs: number;
    /** The app's Admin key: Kakao sends it with the unlink callback; null turns the route off. */
    adminKey: string | null;
  };
  auth: {
    redirectUrl: string | null;
    devLoginEnabled: boolean;
    adminKakaoIds: string[];
  };
  rateLimit: {
    enabled: boolean;
    auth: RateLimit;
    /** dev-login, per IP, on its own: QA signs in as many people in a row. */
    devLogin: RateLimit;
    write: RateLimit;
    matching: RateLimit;
    chat: RateLimit;
  };
  trustProxy: boolean | number | string;
  http: {
    /** A request whose headers have not all arrived by then is ended (408). */
    headersTimeoutMs: number;
    /** An upload body that sends no byte for this long is ended (408) and its temp file removed. */
    uploadStallTimeoutMs: number;
    /** Uploads one user may have running at once (more → 429). */
    uploadsPerUser: number;
    /** After SIGTERM, what is still running after this long is cut. */
    shutdownTimeoutMs: number;
  };
  corsOrigins: string[];
  swaggerEnabled: boolean;
  /** Prometheus metrics at `/metrics` (off: no route, no request hook). */
  metrics: {
    enabled: boolean;
    /** When set, `/metrics` wants `Authorization: Bearer <token>`. */
    token: string | null;
  };
  uploadDir: string;
  publicBaseUrl: string | null;
  storage: StorageConfig;
  /** Media URLs are `<this>/<key>` (a CDN or public bucket) when set. */
  mediaPublicBaseUrl: string | null;
  /** Distinct pending reporters that hide a story until an admin decides. */
  reportAutoHideThreshold: number;
  push: {
    /** The Google service account (its JSON, read from a path or given inline); null: push off. */
    serviceAccount: FcmServiceAccount | null;
    /** FCM's API base (tests point it at a stub). */
    apiUrl: string;
  };
  /** The time-driven lifecycle (docs/api.md, Lifecycle); durations in seconds. */
  lifecycle: {
    /** IANA zone in which a desired date begins and ends. */
    timeZone: string;
    /** How often due work is looked for. */
    tickSeconds: number;
    pendingTtlSeconds: number;
    tripReminderBeforeSeconds: number;
    autoCompleteAfterSeconds: number;
    reviewWindowSeconds: number;
    reviewReminderAfterSeconds: number;
    notificationRetentionSeconds: number;
  };
  media: {
    maxImageBytes: number;
    maxVideoBytes: number;
    /** Largest image accepted, in pixels (width × height). */
    maxImagePixels: number;
    /** Explicit ffmpeg binary; null → ffmpeg-static, then ffmpeg on PATH. */
    ffmpegPath: string | null;
    /** sharp/ffmpeg runs at once in this process. */
    concurrency: number;
    /** Each ffmpeg run is killed after this long. */
    ffmpegTimeoutMs: number;
    /** Longer videos are refused (415) from their header. */
    maxVideoSeconds: number;
  };
}

/** What push needs of a Google service-account JSON file. */
export interface FcmServiceAccount {
  projectId: string;
  clientEmail: string;
  privateKey: string;
  privateKeyId: string | null;
  tokenUri: string;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

const DURATION = /^(\d+)\s*(s|m|h|d)?$/;
const RATE = /^(\d+)\/(\d+)$/;

const boolean = () => Joi.boolean().truthy('1', 'yes').falsy('0', 'no', '');
const duration = () =>
  Joi.string()
    .trim()
    .pattern(DURATION)
    .message('{{#label}} must be a duration such as 900, 15m, 12h or 30d');
const rate = () =>
  Joi.string().trim().pattern(RATE).message('{{#label}} must look like 10/60 (hits per seconds)');

const httpUrl = () =>
  Joi.string()
    .trim()
    .uri({ scheme: ['http', 'https'] })
    .empty('');

const schema = Joi.object({
  NODE_ENV: Joi.string().valid('development', 'production', 'test').default('development'),
  PROCESS_ROLE: Joi.string()
    .trim()
    .lowercase()
    .valid('all', 'api', 'worker')
    .empty('')
    .default('all'),
  PORT: Joi.number().port().default(3000),
  LOG_LEVEL: Joi.string()
    .valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent')
    .default('info'),
  DATABASE_URL: Joi.string()
    .trim()
    .uri({ scheme: ['mysql', 'mariadb'] })
    .empty(''),
  SQLITE_PATH: Joi.string().trim().default('./data/storybook.sqlite'),
  ALLOW_SQLITE_IN_PRODUCTION: boolean().default(false),
  DB_MIGRATIONS_RUN: boolean().default(true),
  DB_LOGGING: boolean().default(false),
  DB_QUERY_TIMEOUT_MS: Joi.number().integer().min(100).max(600_000).default(10_000),
  REDIS_URL: Joi.string()
    .trim()
    .uri({ scheme: ['redis', 'rediss'] })
    .empty(''),
  REDIS_KEY_PREFIX: Joi.string()
    .trim()
    .pattern(/^[A-Za-z0-9_.-]{1,64}$/)
    .message('{{#label}} must be 1-64 letters, digits, dots, dashes or underscores')
    .empty('')
    .default('storybook'),
  JOB_CONCURRENCY: Joi.number().integer().min(1).max(64).empty('').default(4),
  JWT_SECRET: Joi.string()
    .empty('')
    .when('NODE_ENV', {
      is: 'production',
      then: Joi.string().min(32).required(),
      otherwise: Joi.string().min(32),
    }),
  JWT_ACCESS_TTL: duration().default('15m'),
  JWT_REFRESH_TTL: duration().default('30d'),
  KAKAO_CLIENT_ID: Joi.string().trim().empty(''),
  KAKAO_CLIENT_SECRET: Joi.string().trim().empty(''),
  KAKAO_CALLBACK_URL: Joi.string()
    .trim()
    .uri({ scheme: ['http', 'https'] })
    .empty(''),
  KAKAO_AUTH_URL: Joi.string()
    .trim()
    .uri({ scheme: ['http', 'https'] })
    .default('https://kauth.kakao.com'),
  KAKAO_API_URL: Joi.string()
    .trim()
    .uri({ scheme: ['http', 'https'] })
    .default('https://kapi.kakao.com'),
  KAKAO_TIMEOUT_MS: Joi.number().integer().min(100).max(60000).default(3000),
  KAKAO_ADMIN_KEY: Joi.string().trim().empty(''),
  AUTH_REDIRECT_URL: Joi.string()
    .trim()
    .uri({ scheme: ['http', 'https'] })
    .empty(''),
  AUTH_DEV_LOGIN: boolean().default(false),
  ADMIN_KAKAO_IDS: Joi.string()
    .trim()
    .pattern(/^\d+(\s*,\s*\d+)*$/)
    .message('{{#label}} must be a comma separated list of Kakao ids')
    .empty('')
    .default(''),
  RATE_LIMIT_ENABLED: boolean().default(true),
  RATE_LIMIT_AUTH: rate().default('10/60'),
  RATE_LIMIT_DEV_LOGIN: rate().default('300/60'),
  RATE_LIMIT_WRITE: rate().default('60/60'),
  RATE_LIMIT_MATCHING: rate().default('10/3600'),
  RATE_LIMIT_CHAT: rate().default('20/10'),
  TRUST_PROXY: Joi.string().trim().empty('').default('false'),
  HTTP_HEADERS_TIMEOUT_MS: Joi.number().integer().min(100).max(600_000).default(30_000),
  UPLOAD_STALL_TIMEOUT_MS: Joi.number().integer().min(100).max(600_000).default(30_000),
  UPLOADS_PER_USER: Joi.number().integer().min(1).max(100).default(3),
  SHUTDOWN_TIMEOUT_MS: Joi.number().integer().min(100).max(600_000).default(15_000),
  CORS_ORIGINS: Joi.string().trim().empty('').default(''),
  SWAGGER_ENABLED: boolean().default(true),
  METRICS_ENABLED: boolean().default(false),
  METRICS_TOKEN: Joi.string()
    .trim()
    .pattern(/^[\x21-\x7e]{16,512}$/)
    .message('{{#label}} must be 16-512 visible ASCII characters (no spaces)')
    .empty(''),
  UPLOAD_DIR: Joi.string().trim().default('./uploads'),
  PUBLIC_BASE_URL: Joi.string()
    .trim()
    .uri({ scheme: ['http', 'https'] })
    .empty(''),
  MEDIA_PUBLIC_BASE_URL: httpUrl(),
  STORAGE_DRIVER: Joi.string().trim().lowercase().valid('local', 's3').empty('').default('local'),
  S3_ENDPOINT: httpUrl(),
  S3_PUBLIC_ENDPOINT: httpUrl(),
  S3_REGION: Joi.string()
    .trim()
    .pattern(/^[a-z0-9-]{1,32}$/)
    .message('{{#label}} must be a region name such as us-east-1 or kr-standard')
    .empty('')
    .default('us-east-1'),
  S3_BUCKET: Joi.string()
    .trim()
    .pattern(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
    .message('{{#label}} must be a bucket name (3-63 lower-case letters, digits, dots, dashes)')
    .empty('')
    .when('STORAGE_DRIVER', { is: 's3', then: Joi.required() }),
  S3_ACCESS_KEY_ID: Joi.string().trim().empty(''),
  S3_SECRET_ACCESS_KEY: Joi.string().trim().empty(''),
  S3_FORCE_PATH_STYLE: boolean().default(false),
  S3_PRESIGN_TTL: duration().default('5m'),
  S3_TIMEOUT_MS: Joi.number().integer().min(100).max(600_000).default(10_000),
  S3_CHECKSUMS: Joi.string()
    .trim()
    .uppercase()
    .valid('WHEN_REQUIRED', 'WHEN_SUPPORTED')
    .empty('')
    .default('WHEN_REQUIRED'),
  MAX_IMAGE_BYTES: Joi.number()
    .integer()
    .min(1024)
    .default(10 * 1024 * 1024),
  MAX_VIDEO_BYTES: Joi.number()
    .integer()
    .min(1024)
    .default(200 * 1024 * 1024),
  MAX_IMAGE_PIXELS: Joi.number().integer().min(1).default(40_000_000),
  FFMPEG_PATH: Joi.string().trim().empty(''),
  MEDIA_CONCURRENCY: Joi.number()
    .empty('')
    .integer()
    .min(1)
    .max(256)
    .default(() => availableParallelism()),
  MEDIA_FFMPEG_TIMEOUT_MS: Joi.number().integer().min(100).max(3_600_000).default(20_000),
  MAX_VIDEO_SECONDS: Joi.number().integer().min(1).max(86_400).default(600),
  REPORT_AUTO_HIDE_THRESHOLD: Joi.number().integer().min(1).max(1000).default(5),
  FCM_SERVICE_ACCOUNT: Joi.string().trim().empty(''),
  FCM_API_URL: Joi.string()
    .trim()
    .uri({ scheme: ['http', 'https'] })
    .default('https://fcm.googleapis.com'),
  SERVICE_TIME_ZONE: Joi.string()
    .trim()
    .default('Asia/Seoul')
    .custom((value: string, helpers) =>
      isTimeZone(value)
        ? value
        : helpers.message({ custom: '{{#label}} must be an IANA time zone such as Asia/Seoul' }),
    ),
  JOBS_TICK: duration().default('60s'),
  MATCHING_PENDING_TTL: duration().default('72h'),
  TRIP_REMINDER_BEFORE: duration().default('24h'),
  MATCHING_AUTO_COMPLETE_AFTER: duration().default('48h'),
  REVIEW_WINDOW: duration().default('14d'),
  REVIEW_REMINDER_AFTER: duration().default('72h'),
  NOTIFICATION_RETENTION: duration().default('90d'),
}).unknown(true);

/** Rules between variables, each reported naming the variable to change. */
function crossChecks(v: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (
    v.NODE_ENV === 'production' &&
    v.DATABASE_URL === undefined &&
    !v.ALLOW_SQLITE_IN_PRODUCTION
  ) {
    problems.push(
      '"DATABASE_URL" is required in production ' +
        '(set ALLOW_SQLITE_IN_PRODUCTION=true to run on SQLite)',
    );
  }
  if (v.PROCESS_ROLE !== 'all' && v.REDIS_URL === undefined) {
    problems.push(
      `"PROCESS_ROLE" may be ${String(v.PROCESS_ROLE)} only with REDIS_URL set: ` +
        'api and worker processes share their jobs through the Redis queue',
    );
  }
  if ((v.S3_ACCESS_KEY_ID === undefined) !== (v.S3_SECRET_ACCESS_KEY === undefined)) {
    const missing = v.S3_ACCESS_KEY_ID === undefined ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY';
    problems.push(
      `"${missing}" is required with its pair (or leave both empty for the SDK's credential chain)`,
    );
  }
  if (v.STORAGE_DRIVER === 's3') {
    const ttl = seconds(String(v.S3_PRESIGN_TTL));
    if (ttl < 1 || ttl > 7 * 86400) {
      problems.push('"S3_PRESIGN_TTL" must be between 1 second and 7 days');
    }
  }
  return problems;
}

/**
 * The service account of FCM_SERVICE_ACCOUNT: its JSON text, or a path to the file Google's
 * console downloads. Stops the start (naming the variable) when it cannot be read or lacks
 * what push needs.
 */
function serviceAccount(value: string | null): FcmServiceAccount | null {
  if (value === null) return null;
  const fail = (why: string) =>
    new ConfigError(`Invalid configuration:\n  - "FCM_SERVICE_ACCOUNT" ${why}`);
  let text = value;
  if (!value.startsWith('{')) {
    try {
      text = readFileSync(value, 'utf8');
    } catch {
      throw fail('is neither service-account JSON nor a readable file');
    }
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw fail('does not hold valid JSON');
  }
  const field = (key: string) => (typeof json[key] === 'string' ? (json[key] as string) : '');
  const missing = ['project_id', 'client_email', 'private_key'].filter((key) => !field(key));
  if (missing.length > 0) throw fail(`lacks ${missing.join(', ')}`);
  return {
    projectId: field('project_id'),
    clientEmail: field('client_email'),
    privateKey: field('private_key'),
    privateKeyId: field('private_key_id') || null,
    tokenUri: field('token_uri') || 'https://oauth2.googleapis.com/token',
  };
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}

/** Thrown when the environment does not describe a runnable service. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function seconds(value: string): number {
  const [, amount, unit] = DURATION.exec(value) as RegExpExecArray;
  const factor = { s: 1, m: 60, h: 3600, d: 86400 }[(unit ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(amount) * factor;
}

function rateLimit(value: string): RateLimit {
  const [, limit, ttl] = RATE.exec(value) as RegExpExecArray;
  return { limit: Number(limit), ttlSeconds: Number(ttl) };
}

function trustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value; // express accepts subnet lists such as "loopback, 10.0.0.0/8"
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/**
 * Validates the environment and turns it into typed configuration.
 * Every problem is reported at once, each naming its variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const { error, value } = schema.validate(env, { abortEarly: false, convert: true });
  if (error) {
    const problems = error.details.map((detail) => `  - ${detail.message}`).join('\n');
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  const v = value as Record<string, string | number | boolean | undefined>;
  const str = (key: string) => (v[key] === undefined ? null : String(v[key]));
  const port = Number(v.PORT);
  const logging = Boolean(v.DB_LOGGING);
  const jwtSecret = str('JWT_SECRET');

  const crossProblems = crossChecks(v);
  if (crossProblems.length > 0) {
    throw new ConfigError(
      `Invalid configuration:\n${crossProblems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
  }
  const storage: StorageConfig =
    v.STORAGE_DRIVER === 's3'
      ? {
          driver: 's3',
          endpoint: str('S3_ENDPOINT')?.replace(/\/+$/, '') ?? null,
          publicEndpoint: str('S3_PUBLIC_ENDPOINT')?.replace(/\/+$/, '') ?? null,
          region: String(v.S3_REGION),
          bucket: String(v.S3_BUCKET),
          credentials:
            v.S3_ACCESS_KEY_ID !== undefined
              ? {
                  accessKeyId: String(v.S3_ACCESS_KEY_ID),
                  secretAccessKey: String(v.S3_SECRET_ACCESS_KEY),
                }
              : null,
          forcePathStyle: Boolean(v.S3_FORCE_PATH_STYLE),
          presignTtlSeconds: seconds(String(v.S3_PRESIGN_TTL)),
          timeoutMs: Number(v.S3_TIMEOUT_MS),
          checksums: v.S3_CHECKSUMS as 'WHEN_REQUIRED' | 'WHEN_SUPPORTED',
        }
      : { driver: 'local' };

  const startUpWarnings: string[] = [];
  if (v.NODE_ENV === 'production' && v.AUTH_DEV_LOGIN) {
    startUpWarnings.push('AUTH_DEV_LOGIN=true is ignored in production: dev-login stays off');
  }

  return {
    env: v.NODE_ENV as AppConfig['env'],
    dataDir: dirname(String(v.SQLITE_PATH)),
    startUpWarnings,
    processRole: v.PROCESS_ROLE as ProcessRole,
    port,
    logLevel: String(v.LOG_LEVEL),
    database: v.DATABASE_URL
      ? {
          type: 'mysql',
          flavor: String(v.DATABASE_URL).startsWith('mariadb:') ? 'mariadb' : 'mysql',
          url: String(v.DATABASE_URL).replace(/^mariadb:/, 'mysql:'),
          migrationsRun: Boolean(v.DB_MIGRATIONS_RUN),
          logging,
        }
      : { type: 'sqlite', path: String(v.SQLITE_PATH), logging },
    dbQueryTimeoutMs: Number(v.DB_QUERY_TIMEOUT_MS),
    redisUrl: str('REDIS_URL'),
    redisKeyPrefix: String(v.REDIS_KEY_PREFIX),
    jobs: { concurrency: Number(v.JOB_CONCURRENCY) },
    jwt: {
      secret: jwtSecret ?? randomBytes(48).toString('base64url'),
      secretGenerated: jwtSecret === null,
      accessTtlSeconds: seconds(String(v.JWT_ACCESS_TTL)),
      refreshTtlSeconds: seconds(String(v.JWT_REFRESH_TTL)),
    },
    kakao: {
      clientId: str('KAKAO_CLIENT_ID'),
      clientSecret: str('KAKAO_CLIENT_SECRET'),
      callbackUrl:
        str('KAKAO_CALLBACK_URL') ?? `http://localhost:${port}/api/v1/auth/kakao/callback`,
      authUrl: String(v.KAKAO_AUTH_URL).replace(/\/+$/, ''),
      apiUrl: String(v.KAKAO_API_URL).replace(/\/+$/, ''),
      timeoutMs: Number(v.KAKAO_TIMEOUT_MS),
      adminKey: str('KAKAO_ADMIN_KEY'),
    },
    auth: {
      redirectUrl: str('AUTH_REDIRECT_URL'),
      devLoginEnabled: Boolean(v.AUTH_DEV_LOGIN) && v.NODE_ENV !== 'production',
      adminKakaoIds: list(String(v.ADMIN_KAKAO_IDS)),
    },
    rateLimit: {
      enabled: Boolean(v.RATE_LIMIT_ENABLED),
      auth: rateLimit(String(v.RATE_LIMIT_AUTH)),
      devLogin: rateLimit(String(v.RATE_LIMIT_DEV_LOGIN)),
      write: rateLimit(String(v.RATE_LIMIT_WRITE)),
      matching: rateLimit(String(v.RATE_LIMIT_MATCHING)),
      chat: rateLimit(String(v.RATE_LIMIT_CHAT)),
    },
    trustProxy: trustProxy(String(v.TRUST_PROXY)),
    http: {
      headersTimeoutMs: Number(v.HTTP_HEADERS_TIMEOUT_MS),
      uploadStallTimeoutMs: Number(v.UPLOAD_STALL_TIMEOUT_MS),
      uploadsPerUser: Number(v.UPLOADS_PER_USER),
      shutdownTimeoutMs: Number(v.SHUTDOWN_TIMEOUT_MS),
    },
    corsOrigins: list(String(v.CORS_ORIGINS)),
    swaggerEnabled: Boolean(v.SWAGGER_ENABLED),
    metrics: { enabled: Boolean(v.METRICS_ENABLED), token: str('METRICS_TOKEN') },
    uploadDir: String(v.UPLOAD_DIR),
    publicBaseUrl: str('PUBLIC_BASE_URL')?.replace(/\/+$/, '') ?? null,
    storage,
    mediaPublicBaseUrl: str('MEDIA_PUBLIC_BASE_URL')?.replace(/\/+$/, '') ?? null,
    reportAutoHideThreshold: Number(v.REPORT_AUTO_HIDE_THRESHOLD),
    push: {
      serviceAccount: serviceAccount(str('FCM_SERVICE_ACCOUNT')),
      apiUrl: String(v.FCM_API_URL).replace(/\/+$/, ''),
    },
    lifecycle: {
      timeZone: String(v.SERVICE_TIME_ZONE),
      tickSeconds: Math.max(1, seconds(String(v.JOBS_TICK))),
      pendingTtlSeconds: seconds(String(v.MATCHING_PENDING_TTL)),
      tripReminderBeforeSeconds: seconds(String(v.TRIP_REMINDER_BEFORE)),
      autoCompleteAfterSeconds: seconds(String(v.MATCHING_AUTO_COMPLETE_AFTER)),
      reviewWindowSeconds: seconds(String(v.REVIEW_WINDOW)),
      reviewReminderAfterSeconds: seconds(String(v.REVIEW_REMINDER_AFTER)),
      notificationRetentionSeconds: seconds(String(v.NOTIFICATION_RETENTION)),
    },
    media: {
      maxImageBytes: Number(v.MAX_IMAGE_BYTES),
      maxVideoBytes: Number(v.MAX_VIDEO_BYTES),
      maxImagePixels: Number(v.MAX_IMAGE_PIXELS),
      ffmpegPath: str('FFMPEG_PATH'),
      concurrency: Number(v.MEDIA_CONCURRENCY),
      ffmpegTimeoutMs: Number(v.MEDIA_FFMPEG_TIMEOUT_MS),
      maxVideoSeconds: Number(v.MAX_VIDEO_SECONDS),
    },
  };
}
