import { Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, ThrottlerStorage } from '@nestjs/throttler';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { DomainException } from '../common/errors/domain.exception';

/**
 * The chat rate limit for socket sends. It counts in the same throttler storage and under
 * the same key (`chat:user:<id>`) as the REST guard's `chat` throttler, so REST and socket
 * sends of one user share one budget.
 */
@Injectable()
export class ChatRateLimiter {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
  ) {}

  async consume(userId: number): Promise<void> {
    if (!this.config.rateLimit.enabled) return;
    const { limit, ttlSeconds } = this.config.rateLimit.chat;
    const ttl = ttlSeconds * 1000;
    const record = await this.storage.increment(`chat:user:${userId}`, ttl, limit, ttl, 'chat');
    if (record.isBlocked) {
      throw new DomainException('RATE_LIMITED', 'Too many messages, try again later', {
        retryAfterSeconds: Math.max(1, Math.ceil(record.timeToBlockExpire)),
      });
    }
  }
}
