import 'dotenv/config';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';

function configOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
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
function exitIfShutdownHangs(timeoutMs: number): void {
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

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const app = await createApp(config);
  exitIfShutdownHangs(config.http.shutdownTimeoutMs);
  const logger = new Logger('Bootstrap');
  if (config.jwt.secretGenerated) {
    logger.warn('JWT_SECRET is not set: using a random secret, sessions end at restart');
  }
  await app.listen(config.port);
  logger.log(
    `Story Book API on port ${config.port} (${config.database.type})` +
      (config.swaggerEnabled ? `, Swagger UI at /docs` : ''),
  );
}

void bootstrap();
