import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { JobQueue } from '../jobs/job-queue';

/**
 * The job queue: with Redis, whether BullMQ's own connections answer (and how many jobs wait
 * or failed); in-process, always up. Bounded by `timeoutMs`.
 */
@Injectable()
export class QueueHealthIndicator {
  constructor(
    private readonly jobs: JobQueue,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key: string, timeoutMs: number) {
    const indicator = this.indicators.check(key);
    const { up, ...details } = await this.jobs.health(timeoutMs);
    return up ? indicator.up(details) : indicator.down(details);
  }
}
