import 'dotenv/config';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { Logger as Pino } from 'pino';
import { createApp } from './app.setup';
import { ROOT_LOGGER } from './common/logging/app-logger';
import { configOrExit, exitIfShutdownHangs, startUpSummary } from './config/start-up';
import { MediaService } from './media/media.service';
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
  // the last line of the start-up output: the address, and what this process runs on (once
  // the search for ffmpeg, which does not hold up the start, is over)
  const { message, fields } = startUpSummary(
    config,
    await app.get(MediaService).ffmpegInUse(),
    'api',
  );
  app.get<symbol, Pino>(ROOT_LOGGER).info({ context: 'Bootstrap', ...fields }, message);
}

void bootstrap();
