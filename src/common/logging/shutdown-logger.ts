import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';

/**
 * Runs last in Nest's shutdown sequence (after the HTTP server stopped accepting and the
 * database closed), so its line marks a clean stop in the logs.
 */
@Injectable()
export class ShutdownLogger implements OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  onApplicationShutdown(signal?: string): void {
    this.logger.log(`Shutdown complete${signal ? ` (${signal})` : ''}`);
  }
}
