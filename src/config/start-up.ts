import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, ConfigError, loadConfig } from './app-config';

/** The file in the data folder that keeps a generated JWT secret (outside production). */
export const JWT_SECRET_FILE = 'jwt-secret';

/**
 * The validated configuration, or the process ends naming what is wrong (SPEC §10). Without
 * JWT_SECRET (outside production) the secret kept in the data folder is used, made on the
 * first start.
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
 * 0600), so that a restart (or a reload of `start:dev`) keeps everyone signed in. The API and
 * a worker starting at once agree on one file: only one can create it. The start-up warning
 * names the file, never the secret. A data folder that cannot be written leaves the secret to
 * this process, and says so.
 */
export function withKeptJwtSecret(config: AppConfig): AppConfig {
  if (!config.jwt.secretGenerated || config.env === 'production') return config;
  const file = join(config.dataDir, JWT_SECRET_FILE);
  let secret: string;
  let warning: string;
  try {
    mkdirSync(config.dataDir, { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(48).toString('base64url')}\n`, {
        flag: 'wx',
        mode: 0o600,
      });
      warning = `JWT_SECRET is not set: generated one and kept it in ${file}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      warning = `JWT_SECRET is not set: using the one kept in ${file}`;
    }
    secret = readFileSync(file, 'utf8').trim();
    if (secret.length < 32) throw new Error(`${file} holds fewer than 32 characters`);
  } catch (error) {
    const why = (error as Error).message;
    return withWarning(
      config,
      `JWT_SECRET is not set and ${file} is unusable (${why}): sessions end at restart`,
    );
  }
  return withWarning({ ...config, jwt: { ...config.jwt, secret } }, warning);
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
