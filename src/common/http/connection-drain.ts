import { Logger } from '@nestjs/common';
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The graceful stop of one HTTP server (docs/api.md, Operations). Once {@link begin} is called the server
 * accepts no new connections and closes idle keep-alive ones; requests already running
 * finish, and every response from then on carries `Connection: close`, so a keep-alive
 * client's connection ends after its current request instead of carrying the next one.
 * Whatever is still open `timeoutMs` after the start is cut.
 */
export class ConnectionDrain {
  private readonly logger = new Logger('Shutdown');
  private readonly sockets = new Set<Socket>();
  private readonly pending = new Set<ServerResponse>();
  private closed: Promise<void> | null = null;

  constructor(
    private readonly server: Server,
    private readonly timeoutMs: number,
  ) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // before express sees the request, so the header is there whatever answers it
    server.prependListener('request', (_req, res: ServerResponse) => {
      if (this.closed) res.setHeader('Connection', 'close');
      this.pending.add(res);
      res.once('close', () => this.pending.delete(res));
      res.once('finish', () => {
        // a response whose headers went out before the stop began kept its connection alive
        if (this.closed) setImmediate(() => this.server.closeIdleConnections());
      });
    });
  }

  /** True once the stop has begun. */
  get draining(): boolean {
    return this.closed !== null;
  }

  /**
   * Starts the stop (once; later calls return the same promise), which resolves when every
   * connection is gone: drained, or cut at the deadline.
   */
  begin(): Promise<void> {
    this.closed ??= this.drain();
    return this.closed;
  }

  private drain(): Promise<void> {
    for (const res of this.pending) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    }
    if (!this.server.listening) return Promise.resolve();
    this.logger.log(
      `Stopping: no new connections; ${this.pending.size} request(s) running, ` +
        `${this.sockets.size} connection(s) open, cut after ${this.timeoutMs} ms`,
    );
    return new Promise<void>((resolve) => {
      const deadline = setTimeout(() => {
        this.logger.warn(
          `Shutdown timeout: cutting ${this.pending.size} unfinished request(s) ` +
            `and ${this.sockets.size} connection(s)`,
        );
        this.server.closeAllConnections();
        // upgraded sockets (WebSocket) are not the HTTP server's to close any more
        for (const socket of this.sockets) socket.destroy();
      }, this.timeoutMs);
      deadline.unref();
      // close() stops accepting, closes idle connections and calls back once none are left
      this.server.close(() => {
        clearTimeout(deadline);
        resolve();
      });
    });
  }
}
