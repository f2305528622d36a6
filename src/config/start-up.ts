import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ffmpegLocation, type ResolvedFfmpeg } from '../media/ffmpeg';
import { AppConfig, ConfigError, loadConfig } from './app-config';

/** The file in the data folder that keeps a generated JWT secret (outside production). */
export const JWT_SECRET_FILE = 'jwt-secret';

/**
 * The validated configuration, or the process ends naming what is wrong (docs/api.md,
 * Operations). Without JWT_SECRET (outside production) the secret kept in the data folder is
 * used, made on the first start.
 */
export function configOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return withKeptJwtSecret(loadConfig(env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/**
 * Without JWT_SECRET, a random secret made once and kept in `<dataDir>/jwt-secret` (mode
 * 0600), so that a restart (or a reload of `start:dev`) keeps everyone signed in. The file
 * appears whole or not at all (written aside, then linked into place), so the API and a
 * worker starting at once agree on one secret, and a kill mid-write leaves no empty file; one
 * that is unusable anyway (cut short by other means) is replaced. The start-up warning names
 * the file, never the secret. A data folder that cannot be written leaves the secret to this
 * process, and says so.
 */
export function withKeptJwtSecret(config: AppConfig): AppConfig {
  if (!config.jwt.secretGenerated || config.env === 'production') return config;
  const file = join(config.dataDir, JWT_SECRET_FILE);
  let secret: string;
  let warning: string;
  try {
    mkdirSync(config.dataDir, { recursive: true });
    if (placeNewSecret(file, linkSync)) {
      warning = `JWT_SECRET is not set: generated one and kept it in ${file}`;
    } else {
      warning = `JWT_SECRET is not set: using the one kept in ${file}`;
    }
    secret = readFileSync(file, 'utf8').trim();
    if (secret.length < 32) {
      placeNewSecret(file, renameSync);
      secret = readFileSync(file, 'utf8').trim();
      warning = `JWT_SECRET is not set: ${file} was unusable, generated a new one in its place`;
    }
  } catch (error) {
    const why = (error as Error).message;
    return withWarning(
      config,
      `JWT_SECRET is not set and ${file} is unusable (${why}): sessions end at restart`,
    );
  }
  return withWarning({ ...config, jwt: { ...config.jwt, secret } }, warning);
}

/**
 * Writes a new secret beside `file` and puts it in place with `place` (link: only when there
 * is none yet, false then; rename: over what is there). Nothing is left beside it.
 */
function placeNewSecret(file: string, place: (from: string, to: string) => void): boolean {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(aside, `${randomBytes(48).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  try {
    place(aside, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    rmSync(aside, { force: true });
  }
}

function withWarning(config: AppConfig, warning: string): AppConfig {
  return { ...config, startUpWarnings: [...config.startUpWarnings, warning] };
}

/**
 * Nest's shutdown hooks stop the service on SIGTERM/SIGINT and the HTTP server cuts what still
 * runs at SHUTDOWN_TIMEOUT_MS; should a later step hang (a database that does not answer its
 * close), this ends the process a second after that bound anyway.
 */
export function exitIfShutdownHangs(timeoutMs: number): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // once: Nest re-raises the signal at the end of its shutdown, and that one must kill
    process.once(signal, () => {
      setTimeout(() => {
        new Logger('Shutdown').error(`Shutdown did not finish within ${timeoutMs} ms; exiting`);
        process.exit(1);
      }, timeoutMs + 1000).unref();
    });
  }
}

/** The database as logs may name it: the SQLite file, or the server and database (no user, no password). */
export function describeDatabase(database: AppConfig['database']): string {
  if (database.type === 'sqlite') {
    return `sqlite ${database.path === ':memory:' ? database.path : resolve(database.path)}`;
  }
  const url = new URL(database.url);
  return `${database.flavor} ${url.host}${url.pathname}`;
}

/** Redis as logs may name it: host and port only. */
function describeRedis(redisUrl: string | null): string | null {
  return redisUrl === null ? null : new URL(redisUrl).host;
}

/** What a start-up line says, as a message and as log fields. */
export interface StartUpSummary {
  message: string;
  fields: {
    url?: string;
    docs?: string | null;
    database: string;
    ffmpeg: { version: string; path: string } | null;
    push: boolean;
    redis: string | null;
    s3: string | null;
  };
}

/**
 * The last line of the start-up output: where the service answers (and its Swagger UI), the
 * database, the ffmpeg in use, and whether push, Redis and S3 are on. Never a password or key.
 */
export function startUpSummary(
  config: AppConfig,
  ffmpeg: ResolvedFfmpeg | null,
  kind: 'api' | 'worker',
): StartUpSummary {
  const url = config.publicBaseUrl ?? `http://localhost:${config.port}`;
  const docs = config.swaggerEnabled ? `${url}/docs` : null;
  const database = describeDatabase(config.database);
  const found = ffmpeg ? { version: ffmpeg.version, path: ffmpegLocation(ffmpeg) } : null;
  const redis = describeRedis(config.redisUrl);
  const s3 = config.storage.driver === 's3' ? config.storage.bucket : null;
  const push = config.push.serviceAccount !== null;
  const switches = [
    `push ${push ? 'on' : 'off'}`,
    redis ? `Redis on (${redis}, prefix ${config.redisKeyPrefix})` : 'Redis off',
    s3 ? `S3 on (bucket ${s3})` : 'S3 off',
  ].join(', ');
  const facts = [
    `database ${database}`,
    found ? `ffmpeg ${found.version} at ${found.path}` : 'no ffmpeg (videos refused)',
    switches,
  ];
  if (kind === 'worker') {
    return {
      message: `Story Book worker running jobs; ${facts.join('; ')}`,
      fields: { database, ffmpeg: found, push, redis, s3 },
    };
  }
  const jobs = config.processRole === 'api' ? 'jobs run by workers' : 'jobs run here';
  return {
    message:
      `Story Book API on port ${config.port}: ${url}` +
      (docs ? `, Swagger UI ${docs}` : '') +
      `; ${facts.join('; ')}; ${jobs}`,
    fields: { url, docs, database, ffmpeg: found, push, redis, s3 },
  };
}
