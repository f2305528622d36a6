import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { createServer } from 'node:http';
import type { AppConfig } from '../../config/app-config';
import { ConnectionDrain } from './connection-drain';

/**
 * The Express adapter with an HTTP server that stops gracefully ({@link ConnectionDrain}):
 * Nest's shutdown starts the stop through {@link beginShutdown} and finishes it through
 * {@link close}.
 */
export class HttpServerAdapter extends ExpressAdapter {
  private drain: ConnectionDrain | null = null;

  constructor(private readonly limits: AppConfig['http']) {
    super();
  }

  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions) throw new Error('HTTPS is terminated in front of this service');
    const server = createServer(this.getInstance());
    this.setHttpServer(server);
    this.drain = new ConnectionDrain(server, this.limits.shutdownTimeoutMs);
  }

  /** Stops accepting and lets running requests finish; idempotent. */
  beginShutdown(): Promise<void> {
    return this.drain?.begin() ?? Promise.resolve();
  }

  /** Nest's last HTTP step at shutdown: resolves once every connection is gone. */
  override async close(): Promise<void> {
    await this.beginShutdown();
  }
}
