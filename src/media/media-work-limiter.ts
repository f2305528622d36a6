import { Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';

/**
 * At most MEDIA_CONCURRENCY decodes of untrusted media (a sharp pipeline, an ffmpeg run) at
 * once in this process (docs/api.md, Stories and media "Bounded work"); the rest wait their turn in order, so a burst
 * of uploads slows uploads down instead of taking every core from the API.
 */
@Injectable()
export class MediaWorkLimiter {
  private readonly limit: pLimit.Limit;

  constructor(@InjectConfig() config: AppConfig) {
    this.limit = pLimit(config.media.concurrency);
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.limit(work);
  }

  /** Runs now plus those waiting for a turn. */
  get busy(): number {
    return this.limit.activeCount + this.limit.pendingCount;
  }
}
