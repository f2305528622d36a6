import { Inject, Injectable, LoggerService } from '@nestjs/common';
import pino, { type Logger as Pino, type LevelWithSilent } from 'pino';

/** The process's pino logger (JSON lines on stdout), for what Nest's Logger does not cover. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export function createRootLogger(level: string): Pino {
  return pino({ level: level as LevelWithSilent });
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Nest's start-up chatter (every module initialised, every route mapped: ~140 lines): kept
 * for LOG_LEVEL=debug, so that at info the start-up output is a few lines ending with the
 * address.
 */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
  'WebSocketsController',
  'NestApplicationContext',
]);

/**
 * Nest's LoggerService on pino: one JSON line per call, `{ level, time, pid, hostname,
 * context, msg }` and, for errors, `err` (each key once). Nest calls `error(message, stack?,
 * context?)` and the other levels `(message, context?)`.
 */
@Injectable()
export class AppLogger implements LoggerService {
  constructor(@Inject(ROOT_LOGGER) private readonly root: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const rest = [...params];
    const context =
      rest.length > 0 && typeof rest[rest.length - 1] === 'string'
        ? (rest.pop() as string)
        : undefined;
    if (level === 'info' && context !== undefined && FRAMEWORK_CONTEXTS.has(context)) {
      level = 'debug';
    }
    if (!this.root.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    if (message instanceof Error) {
      this.root[level]({ ...fields, err: message }, message.message);
      return;
    }
    // Nest's exception handlers pass the stack as the second argument of error()
    const stack = level === 'error' && typeof rest[0] === 'string' ? rest[0] : undefined;
    if (stack !== undefined) {
      const err = new Error(String(message));
      err.stack = stack;
      fields.err = err;
    }
    if (typeof message === 'object' && message !== null) {
      this.root[level]({ ...fields, data: message });
      return;
    }
    this.root[level](fields, String(message));
  }
}
