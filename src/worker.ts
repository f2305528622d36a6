import 'dotenv/config';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Server } from 'socket.io';
import { AppModule } from './app.module';
import type { Logger as Pino } from 'pino';
import { AppLogger, ROOT_LOGGER } from './common/logging/app-logger';
import type { AppConfig } from './config/app-config';
import { configOrExit, exitIfShutdownHangs, startUpSummary } from './config/start-up';
import { MediaService } from './media/media.service';
import { RealtimeService } from './realtime/realtime.service';

/**
 * A job-only process (PROCESS_ROLE=worker, `npm run start:worker`, `node dist/src/worker.js`):
 * the application's modules without an HTTP server or socket gateway, so the job handlers and
 * their start-up recovery run here and nothing else. SIGTERM: workers stop taking jobs, and
 * those running get until SHUTDOWN_TIMEOUT_MS.
 */
export async function startWorker(config: AppConfig): Promise<void> {
  if (!config.redisUrl) {
    console.error('A worker process needs REDIS_URL: the queue it takes its jobs from');
    process.exit(1);
  }
  const worker: AppConfig = { ...config, processRole: 'worker' };
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(worker), {
    bufferLogs: true,
  });
  app.useLogger(app.get(AppLogger));
  app.enableShutdownHooks();
  exitIfShutdownHangs(config.http.shutdownTimeoutMs);
  // what the jobs tell clients (`media:ready`) goes out through the Redis adapter, as if this
  // were one more API instance without sockets of its own; right after start, before any job
  // (they wait for Redis) can finish and emit
  app.get(RealtimeService).attach(new Server({ serveClient: false }).of('/chat'));
  const { message, fields } = startUpSummary(
    worker,
    await app.get(MediaService).ffmpegInUse(),
    'worker',
  );
  app.get<symbol, Pino>(ROOT_LOGGER).info({ context: 'Bootstrap', ...fields }, message);
}

if (require.main === module) {
  const config = configOrExit({ ...process.env, PROCESS_ROLE: 'worker' });
  if (process.env.PROCESS_ROLE === 'api') {
    console.error('PROCESS_ROLE=api: start the API with `npm start`, not the worker');
    process.exit(1);
  }
  void startWorker(config);
}
