import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { InjectConfig } from '../config/config.module';
import type { AppConfig } from '../config/app-config';

/** Pings Redis when REDIS_URL is configured. */
@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private client: Redis | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly indicators: HealthIndicatorService,
  ) {}

  get configured(): boolean {
    return this.config.redisUrl !== null;
  }

  async pingCheck(key: string, timeoutMs = 1500) {
    const indicator = this.indicators.check(key);
    try {
      const client = this.connection();
      const reply = await Promise.race([
        (async () => {
          if (client.status === 'wait' || client.status === 'end') await client.connect();
          return client.ping();
        })(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), timeoutMs).unref(),
        ),
      ]);
      return reply === 'PONG' ? indicator.up() : indicator.down({ message: 'unexpected reply' });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  private connection(): Redis {
    this.client ??= new Redis(this.config.redisUrl as string, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 1500,
      // no background reconnect loop: each health check reconnects if the link is gone
      retryStrategy: () => null,
      // ioredis otherwise keeps a 2 s timer after a failed connect, delaying process exit
      disconnectTimeout: 0,
    });
    this.client.on('error', () => undefined); // reported through pingCheck, not as a crash
    return this.client;
  }

  async onModuleDestroy(): Promise<void> {
    // disconnect() (not quit()) also stops the reconnect loop of a client that never connected
    this.client?.disconnect();
    this.client = null;
  }
}
