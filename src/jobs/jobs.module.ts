import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { BullJobQueue } from './bull-job-queue';
import { InProcessJobQueue } from './in-process-job-queue';
import { JobQueue } from './job-queue';
import { JobsController } from './jobs.controller';

/**
 * The job seam ({@link JobQueue}): BullMQ on Redis when REDIS_URL is set, the in-process
 * runner otherwise (the embedded default). Admins see and retry runs at /admin/jobs.
 */
@Global()
@Module({})
export class JobsModule {
  static forRoot(config: Pick<AppConfig, 'redisUrl'>): DynamicModule {
    return {
      module: JobsModule,
      controllers: [JobsController],
      providers: [
        { provide: JobQueue, useClass: config.redisUrl ? BullJobQueue : InProcessJobQueue },
      ],
      exports: [JobQueue],
    };
  }
}
