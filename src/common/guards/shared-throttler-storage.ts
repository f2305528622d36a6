import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import Redis from 'ioredis';

type ThrottlerRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** Longest a count may wait for Redis before this instance counts alone. */
const REDIS_TIMEOUT_MS = 500;

/**
 * Rate-limit counters in Redis (REDIS_URL set), so every instance counts against one limit
 * (docs/api.md, Operations): REST throttlers and the chat budget of socket sends, which uses the same
 * storage. Keys live under `<REDIS_KEY_PREFIX>:rate-limit:`.
 *
 * A Redis that is away or slow must not take the API down with it: a count that Redis does
 * not answer within 500 ms is made in this instance's memory instead (the limit then holds
 * per instance, as without Redis), and the switch back is automatic.
 */
export class SharedThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: Redis;
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new ThrottlerStorageService();
  private degraded = false;

  constructor(url: string, keyPrefix: string) {
    this.redis = new Redis(url, {
      keyPrefix: `${keyPrefix}:rate-limit:`,
      lazyConnect: true,
      // away: fail at once and count locally, rather than queueing counts in the client
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1500,
      commandTimeout: REDIS_TIMEOUT_MS,
      // a Redis that keeps the link but stops answering: drop the link and build it anew
      socketTimeout: 2000,
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
      disconnectTimeout: 0,
    });
    this.redis.on('error', () => undefined); // reported below, once per outage
    this.redis.connect().catch(() => undefined);
    this.shared = new ThrottlerStorageRedisService(this.redis);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    try {
      const record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      if (this.degraded) {
        this.degraded = false;
        this.logger.log('Redis answers again: rate limits count across instances');
      }
      return record;
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.logger.warn(
          `Redis did not answer (${(error as Error).message}): rate limits count per instance`,
        );
      }
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
    this.redis.disconnect();
  }
}
