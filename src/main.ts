import 'dotenv/config';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.setup';
import { configOrExit, exitIfShutdownHangs } from './config/start-up';
import { startWorker } from './worker';

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  // PROCESS_ROLE=worker: the same process as `npm run start:worker`, without HTTP
  if (config.processRole === 'worker') return startWorker(config);
  const app = await createApp(config);
  exitIfShutdownHangs(config.http.shutdownTimeoutMs);
  const logger = new Logger('Bootstrap');
  for (const warning of config.startUpWarnings) logger.warn(warning);
  await app.listen(config.port);
  logger.log(
    `Story Book API on port ${config.port} (${config.database.type}, ` +
      `${config.processRole === 'api' ? 'jobs run by workers' : 'jobs run here too'})` +
      (config.swaggerEnabled ? `, Swagger UI at /docs` : ''),
  );
}

void bootstrap();
