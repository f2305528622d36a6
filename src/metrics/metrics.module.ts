import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { AppMetrics } from './app-metrics';
import { MetricsController } from './metrics.controller';

/**
 * Prometheus metrics (METRICS_ENABLED): {@link AppMetrics} for whoever counts something, and
 * `GET /metrics` in processes that serve HTTP. Off, AppMetrics does nothing and there is no
 * route. Worker processes have no HTTP server: what they do shows in the API instances' job
 * queue numbers, read from Redis.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(config: Pick<AppConfig, 'metrics' | 'processRole'>): DynamicModule {
    return {
      module: MetricsModule,
      controllers:
        config.metrics.enabled && config.processRole !== 'worker' ? [MetricsController] : [],
      providers: [AppMetrics],
      exports: [AppMetrics],
    };
  }
}
