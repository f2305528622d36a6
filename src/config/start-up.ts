import { Logger } from '@nestjs/common';
import { AppConfig, ConfigError, loadConfig } from './app-config';

/** The validated configuration, or the process ends naming what is wrong (docs/api.md, Operations). */
export function configOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
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
