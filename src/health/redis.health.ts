import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { InjectConfig } from '../config/config.module';
import type { AppConfig } from '../config/app-config';

/** How long one ping may take, and how long the link may stay silent while one is pending. */
const PING_TIMEOUT_MS = 1000;

/**
 * Pings Redis when REDIS_URL is configured, and reports its current state (docs/api.md, Operations): down
 * within a second when Redis stops answering, up again within a few seconds of its return.
 */
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
    let timer: NodeJS.Timeout | undefined;
    try {
      const client = this.connection();
      const reply = await Promise.race([
        (async () => {
          // the first check connects; afterwards the client reconnects by itself
          if (client.status === 'wait' || client.status === 'end') await client.connect();
          if (client.status !== 'ready') throw new Error(`not connected (${client.status})`);
          return client.ping();
        })(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        }),
      ]);
      return reply === 'PONG' ? indicator.up() : indicator.down({ message: 'unexpected reply' });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }

  private connection(): Redis {
    if (this.client) return this.client;
    const client = new Redis(this.config.redisUrl as string, {
      lazyConnect: true,
      // while the link is down a ping fails at once instead of waiting in a queue
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: 1500,
      commandTimeout: PING_TIMEOUT_MS,
      // A Redis that keeps the connection but stops answering: the link is dropped and built
      // anew. Only failing the ping (commandTimeout) is not enough: the unanswered ping stays
      // queued on the link, and once Redis answers again every reply is matched to an older
      // ping, so the check would never see a fresh PONG.
      socketTimeout: PING_TIMEOUT_MS,
      // reconnect by itself, soon: at most a second between attempts
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
      // ioredis otherwise keeps a 2 s timer after a failed connect, delaying process exit
      disconnectTimeout: 0,
    });
    client.on('error', () => undefined); // reported through pingCheck, not as a crash
    this.client = client;
    return client;
  }

  async onModuleDestroy(): Promise<void> {
    // disconnect() (not quit()) also stops the reconnect loop of a client that never connected
    this.client?.disconnect();
    this.client = null;
  }
}
