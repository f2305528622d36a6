import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { AuthUser } from '../decorators/current-user.decorator';
import { loggablePath } from './loggable-path';
import { assignRequestId } from './request-id';

type LoggedRequest = IncomingMessage & { id?: string; user?: AuthUser; originalUrl?: string };

/**
 * One JSON line per request: method, path (no query string, it may carry tokens; a device
 * token in the path shows as `:token`), status, duration, request id and user id. Headers
 * and bodies are never logged.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          genReqId: (req: IncomingMessage, res: ServerResponse) => assignRequestId(req, res),
          customProps: (req: IncomingMessage) => ({
            requestId: (req as LoggedRequest).id,
            userId: (req as LoggedRequest).user?.id ?? null,
          }),
          serializers: {
            req: (req: { method: string; url: string }) => ({
              method: req.method,
              path: loggablePath(req.url),
            }),
            res: (res: { statusCode: number }) => ({ status: res.statusCode }),
          },
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
            error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          redact: ['req.headers', 'res.headers'],
          autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
