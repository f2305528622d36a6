import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AppLogger, createRootLogger, ROOT_LOGGER } from './app-logger';

/**
 * The process's logger: pino writing JSON lines to stdout (LOG_LEVEL), behind Nest's Logger
 * (AppLogger) and the per-request line (request-log.ts, installed by app.setup.ts). No
 * AsyncLocalStorage: on Node 20 it would turn on promise hooks for every promise of the
 * process; what a line needs (request id, user) is on the request.
 */
@Global()
@Module({
  providers: [
    {
      provide: ROOT_LOGGER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createRootLogger(config.logLevel),
    },
    AppLogger,
  ],
  exports: [ROOT_LOGGER, AppLogger],
})
export class LoggingModule {}
