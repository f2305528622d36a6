import { Global, Module } from '@nestjs/common';
import { InProcessJobQueue } from './in-process-job-queue';
import { JobQueue } from './job-queue';

/** The job seam ({@link JobQueue}); the in-process runner is the embedded default. */
@Global()
@Module({
  providers: [{ provide: JobQueue, useClass: InProcessJobQueue }],
  exports: [JobQueue],
})
export class JobsModule {}
