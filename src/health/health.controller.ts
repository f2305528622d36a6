import { Controller, Get, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import { PublicRoute } from '../common/decorators/auth.decorator';
import { DatabaseHealthIndicator } from './database.health';
import { HealthExceptionFilter } from './health-exception.filter';
import { QueueHealthIndicator } from './queue.health';
import { RedisHealthIndicator } from './redis.health';
import { StorageHealthIndicator } from './storage.health';

@ApiTags('health')
@Controller('health')
@UseFilters(HealthExceptionFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly queue: QueueHealthIndicator,
    private readonly storage: StorageHealthIndicator,
  ) {}

  @Get()
  @PublicRoute()
  @HealthCheck()
  @ApiOperation({
    summary: 'Liveness and dependencies',
    description:
      '`database`; `redis` when REDIS_URL is set; `queue` (the job runner: BullMQ on Redis, ' +
      'with the jobs waiting and failed, or in-process); `storage` (a HEAD on the media ' +
      'bucket) with STORAGE_DRIVER=s3. Every check runs at once and ends within 1.5 s.',
  })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; `error` names it' })
  check() {
    // the checks run at once and each ends within 1.5 s: /health answers within 3 s (docs/api.md, Operations)
    const checks: HealthIndicatorFunction[] = [
      () => this.db.pingCheck('database', 1500),
      () => this.queue.check('queue', 1500),
    ];
    if (this.redis.configured) checks.push(() => this.redis.pingCheck('redis'));
    if (this.storage.configured) checks.push(() => this.storage.check('storage', 1500));
    return this.health.check(checks);
  }
}
