import * as Joi from 'joi';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';

/** A limit of `limit` hits per `ttlSeconds`, written `10/60` in the environment. */
export interface RateLimit {
  limit: number;
  ttlSeconds: number;
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
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
   * request answers 503 SERVICE_UNAVAILABLE (SPEC §10).
   */
  dbQueryTimeoutMs: number;
  redisUrl: string | null;
  jwt: {
    secret: string;
    /** True when no JWT_SECRET was given and a random one was made for this process. */
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
  uploadDir: string;
  publicBaseUrl: string | null;
  /** Distinct pending reporters that hide a story until an admin decides. */
  reportAutoHideThreshold: number;
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

const schema = Joi.object({
  NODE_ENV: Joi.string().valid('development', 'production', 'test').default('development'),
  PORT: Joi.number().port().default(3000),
  LOG_LEVEL: Joi.string()
    .valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent')
    .default('info'),
  DATABASE_URL: Joi.string()
    .trim()
    .uri({ scheme: ['mysql', 'mariadb'] })
    .empty(''),
  SQLITE_PATH: Joi.string().trim().default('./data/storybook.sqlite'),
  DB_MIGRATIONS_RUN: boolean().default(true),
  DB_LOGGING: boolean().default(false),
  DB_QUERY_TIMEOUT_MS: Joi.number().integer().min(100).max(600_000).default(10_000),
  REDIS_URL: Joi.string()
    .trim()
    .uri({ scheme: ['redis', 'rediss'] })
    .empty(''),
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
  UPLOAD_DIR: Joi.string().trim().default('./uploads'),
  PUBLIC_BASE_URL: Joi.string()
    .trim()
    .uri({ scheme: ['http', 'https'] })
    .empty(''),
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
}).unknown(true);

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

  return {
    env: v.NODE_ENV as AppConfig['env'],
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
    uploadDir: String(v.UPLOAD_DIR),
    publicBaseUrl: str('PUBLIC_BASE_URL')?.replace(/\/+$/, '') ?? null,
    reportAutoHideThreshold: Number(v.REPORT_AUTO_HIDE_THRESHOLD),
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
