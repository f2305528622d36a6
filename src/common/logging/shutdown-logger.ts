import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EventEmitter, once } from 'node:events';
import { symbols, type Logger as Pino } from 'pino';
import { ROOT_LOGGER } from './app-logger';

/** Longest wait for the log lines at shutdown. */
const LOG_FLUSH_TIMEOUT_MS = 1000;

/**
 * Marks the stop in the logs, after the HTTP server has drained (the shutdown hooks run once
 * Nest has closed the server).
 */
@Injectable()
export class ShutdownLogger implements OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  constructor(@Inject(ROOT_LOGGER) private readonly pino: Pino) {}

  async onApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(`Shutdown complete${signal ? ` (${signal})` : ''}`);
    // On a signal Nest re-raises it next, which ends the process at once, without pino's
    // exit-time flush; pino writes to stdout asynchronously, so wait for its writes to land.
    if (signal) await this.logWritesSettled();
  }

  private async logWritesSettled(): Promise<void> {
    // pino's destination (sonic-boom) is `_writing` while a write is under way and emits
    // 'write' when one lands; it starts the next buffered write at once
    const stream = (this.pino as unknown as Record<symbol, unknown>)[symbols.streamSym];
    if (!(stream instanceof EventEmitter)) return;
    const writing = () => (stream as EventEmitter & { _writing?: boolean })._writing === true;
    const deadline = Date.now() + LOG_FLUSH_TIMEOUT_MS;
    while (writing() && Date.now() < deadline) {
      const timeout = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
      await once(stream, 'write', { signal: timeout }).catch(() => undefined);
    }
  }
}
