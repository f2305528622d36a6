import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
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
        config.redisUrl
          ? {
              provide: JobQueue,
              inject: [APP_CONFIG],
              // BullMQ is loaded only when it is used
              useFactory: async (appConfig: AppConfig): Promise<JobQueue> =>
                new (await import('./bull-job-queue')).BullJobQueue(appConfig),
            }
          : { provide: JobQueue, useClass: InProcessJobQueue },
      ],
      exports: [JobQueue],
    };
  }
}
