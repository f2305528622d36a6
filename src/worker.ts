import 'dotenv/config';
import 'reflect-metadata';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { Logger as PinoLogger } from 'nestjs-pino';
import { createHmac } from 'node:crypto';
import { Server } from 'socket.io';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { configOrExit, exitIfShutdownHangs } from './config/start-up';
import { RealtimeService } from './realtime/realtime.service';

/**
 * What the worker's jobs tell connected clients (`media:ready`) goes out through the chat
 * namespace's Redis adapter, as if this process were one more API instance without sockets
 * of its own: the instances that hold the user's sockets deliver it. The channel key must be
 * the gateway's (src/chat/chat.gateway.ts).
 */
function attachSocketEmitter(app: INestApplicationContext, config: AppConfig): void {
  // commands wait for Redis however long it is away (an event published late is better than
  // the adapter's subscribe failing unhandled)
  const pub = new Redis(config.redisUrl as string, { maxRetriesPerRequest: null });
  const sub = pub.duplicate();
  const logger = new Logger('Worker');
  for (const client of [pub, sub]) {
    client.on('error', (error: Error) => logger.warn(`Redis (socket events): ${error.message}`));
  }
  const key = `storybook-chat-${createHmac('sha256', config.jwt.secret)
    .update('socket.io channel')
    .digest('hex')
    .slice(0, 16)}`;
  const io = new Server({ serveClient: false });
  io.adapter(createAdapter(pub, sub, { key }));
  // no HTTP server behind it: it only publishes; its Redis links end with the process
  app.get(RealtimeService).attach(io.of('/chat'));
}

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
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  exitIfShutdownHangs(config.http.shutdownTimeoutMs);
  // right after start, before any job (they wait for Redis) can finish and emit
  attachSocketEmitter(app, worker);
  new Logger('Bootstrap').log(
    `Story Book worker running jobs (${config.database.type}, queue prefix ${config.redisKeyPrefix})`,
  );
}

if (require.main === module) {
  const config = configOrExit({ ...process.env, PROCESS_ROLE: 'worker' });
  if (process.env.PROCESS_ROLE === 'api') {
    console.error('PROCESS_ROLE=api: start the API with `npm start`, not the worker');
    process.exit(1);
  }
  void startWorker(config);
}
