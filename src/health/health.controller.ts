import { Controller, Get, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import { PublicRoute } from '../common/decorators/auth.decorator';
import { DatabaseHealthIndicator } from './database.health';
import { HealthExceptionFilter } from './health-exception.filter';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('health')
@Controller('health')
@UseFilters(HealthExceptionFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get()
  @PublicRoute()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness and dependencies: database, and Redis when configured' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; `error` names it' })
  check() {
    // both checks run at once and each ends within 1.5 s: /health answers within 3 s (SPEC §10)
    const checks: HealthIndicatorFunction[] = [() => this.db.pingCheck('database', 1500)];
    if (this.redis.configured) checks.push(() => this.redis.pingCheck('redis'));
    return this.health.check(checks);
  }
}
