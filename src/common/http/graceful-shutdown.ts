import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HttpServerAdapter } from './http-server.adapter';

/**
 * Starts the HTTP server's graceful stop as the first step of Nest's shutdown. It cannot wait
 * for Nest's own last step (closing the HTTP adapter): before it, Nest closes Socket.IO, which
 * closes the same server and waits for every connection to end, and keep-alive connections
 * under load would never end without the `Connection: close` this sets going.
 */
@Injectable()
export class GracefulShutdown implements OnModuleDestroy {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleDestroy(): void {
    const adapter = this.adapterHost.httpAdapter;
    // the drain's promise is awaited by the adapter's close(), later in the shutdown
    if (adapter instanceof HttpServerAdapter) void adapter.beginShutdown();
  }
}
