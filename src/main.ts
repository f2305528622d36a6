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

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const app = await createApp(config);
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
