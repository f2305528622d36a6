import { Injectable } from '@nestjs/common';
import { DomainException } from '../common/errors/domain.exception';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';

/** What a refused upload is told to wait: uploads take seconds, a slot frees when one ends. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Uploads running per user: at most `UPLOADS_PER_USER` at once (docs/api.md, Operations), so one account
 * cannot hold the server's connections, descriptors and temp space with slow uploads.
 *
 * Counted in this process's memory: with several API instances a user may run that many on
 * each. A count shared across instances (Redis, as the rate limits do) belongs here once
 * uploads are spread over more than one.
 */
@Injectable()
export class UploadSlots {
  private readonly running = new Map<number, number>();
  private readonly limit: number;

  constructor(@InjectConfig() config: AppConfig) {
    this.limit = config.http.uploadsPerUser;
  }

  /**
   * Takes one of the user's slots, or throws 429 RATE_LIMITED (with Retry-After) when all are
   * taken. Returns the release, which may be called more than once.
   */
  take(userId: number): () => void {
    const count = this.running.get(userId) ?? 0;
    if (count >= this.limit) {
      throw new DomainException(
        'RATE_LIMITED',
        `At most ${this.limit} uploads may run at once; wait for one to finish`,
      ).retryAfter(RETRY_AFTER_SECONDS);
    }
    this.running.set(userId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.running.get(userId) ?? 1) - 1;
      if (left > 0) this.running.set(userId, left);
      else this.running.delete(userId);
    };
  }
}
