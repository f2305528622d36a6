import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { boundDataSource } from './bounded-pool';
import { buildDataSourceOptions } from './data-source-options';

/** Provided for its effect only: the pool's waits and statements get their bound. */
const BOUNDED_POOL = Symbol('BOUNDED_POOL');

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config),
        // fail fast at start instead of retrying for minutes
        retryAttempts: 2,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [
    {
      // after the data source is up (so not the migrations), before anything else uses it
      provide: BOUNDED_POOL,
      inject: [DataSource, APP_CONFIG],
      useFactory: (dataSource: DataSource, config: AppConfig) => {
        boundDataSource(dataSource, config.dbQueryTimeoutMs);
        return true;
      },
    },
  ],
})
export class DatabaseModule {}
