import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { defineJob, JobQueue } from '../jobs/job-queue';
import { NotificationsRepository } from './notifications.repository';

/** Deletes read notifications past NOTIFICATION_RETENTION (docs/api.md, Lifecycle). */
export const NOTIFICATIONS_RETENTION = defineJob<Record<string, never>>('notifications.retention', {
  queue: 'lifecycle',
});

/** Rows deleted per statement, so one run never holds a long lock on the table. */
const BATCH = 1000;

@Injectable()
export class NotificationsRetention implements OnModuleInit {
  private readonly logger = new Logger(NotificationsRetention.name);
  private readonly retentionMs: number;
  private readonly tickMs: number;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly notifications: NotificationsRepository,
    private readonly jobs: JobQueue,
  ) {
    this.retentionMs = config.lifecycle.notificationRetentionSeconds * 1000;
    this.tickMs = config.lifecycle.tickSeconds * 1000;
  }

  onModuleInit(): void {
    this.jobs.register(NOTIFICATIONS_RETENTION, async () => {
      await this.run();
    });
    this.jobs.schedule(NOTIFICATIONS_RETENTION, { everyMs: this.tickMs }, {});
  }

  /** Deletes what is past retention at `now`; how many went. Deleting twice is harmless. */
  async run(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.retentionMs);
    let deleted = 0;
    for (;;) {
      const n = await this.notifications.deleteReadBefore(before, BATCH);
      deleted += n;
      if (n < BATCH) break;
    }
    if (deleted > 0) this.logger.log(`Retention: deleted ${deleted} read notifications`);
    return deleted;
  }
}
