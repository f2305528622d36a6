import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { pingDatabase } from '../database/bounded-pool';

/**
 * Pings the database within a bound. Unlike terminus' TypeOrmHealthIndicator, whose timeout
 * only stops waiting, the bound here ends the wait for a pooled connection and the statement
 * itself (a connection that does not answer is dropped), so health checks against a stalled
 * database never hold the pool.
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async pingCheck(key: string, timeoutMs = 1500) {
    const indicator = this.indicators.check(key);
    try {
      await pingDatabase(this.dataSource, timeoutMs);
      return indicator.up();
    } catch (error) {
      // the code only: messages may name hosts and ports
      const code = (error as { code?: unknown }).code;
      return indicator.down({ message: typeof code === 'string' ? code : 'unavailable' });
    }
  }
}
