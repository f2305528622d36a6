import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { AppConfig } from '../../config/app-config';
import type { ErrorBody } from '../errors/all-exceptions.filter';
import { ConnectionDrain } from './connection-drain';

/** What Node answers to a request it could not parse (its own default, kept). */
const PARSE_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
};

/**
 * The Express adapter with an HTTP server built for slow and departing clients (docs/api.md, Operations):
 *
 * - A request whose headers have not all arrived after `HTTP_HEADERS_TIMEOUT_MS` is answered
 *   408 (in the contract's error shape) and its connection closed; a connection that sends
 *   nothing at all in that time is closed without an answer (Node's deadline starts when the
 *   connection opens). Node checks the deadline only on its connection-checking tick, so the
 *   tick is a fraction of the timeout.
 * - No bound on a whole request (Node's `requestTimeout`, 300 s by default, is off): a 200 MB
 *   upload over a slow phone line must finish as long as bytes keep flowing; a stalled upload
 *   is ended by the upload interceptor instead. Socket.IO long-polling and WebSocket upgrades
 *   are past their headers and not affected.
 * - A graceful stop ({@link ConnectionDrain}) that Nest's shutdown starts through
 *   {@link beginShutdown} and finishes through {@link close}.
 */
export class HttpServerAdapter extends ExpressAdapter {
  private drain: ConnectionDrain | null = null;

  constructor(private readonly limits: AppConfig['http']) {
    super();
  }

  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions) throw new Error('HTTPS is terminated in front of this service');
    const { headersTimeoutMs } = this.limits;
    const server = createServer(
      {
        headersTimeout: headersTimeoutMs,
        requestTimeout: 0,
        connectionsCheckingInterval: Math.max(50, Math.min(1000, headersTimeoutMs / 10)),
      },
      this.getInstance(),
    );
    server.on('clientError', answerClientError);
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

/**
 * Replaces Node's default `clientError` handling, which answers a headers timeout with a bare
 * 408: the same answers, a timeout now in the contract's error body.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      // Node starts the headers deadline when the connection opens: one that never sent a byte
      // (half-opened, abandoned) is closed without an answer nobody asked for
      if (socket.bytesRead > 0) socket.write(requestTimeoutResponse());
    } else {
      const status = PARSE_ERROR_STATUS[error.code ?? ''] ?? 400;
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
    }
  }
  socket.destroy(error);
}

function requestTimeoutResponse(): string {
  const requestId = randomUUID();
  const body: ErrorBody = {
    statusCode: 408,
    code: 'REQUEST_TIMEOUT',
    message: 'The request headers did not arrive in time',
    requestId,
    // the request line may not even have arrived; nothing of the request is known
    path: '',
    timestamp: new Date().toISOString(),
  };
  const json = JSON.stringify(body);
  return (
    'HTTP/1.1 408 Request Timeout\r\n' +
    'Connection: close\r\n' +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(json)}\r\n` +
    `X-Request-Id: ${requestId}\r\n` +
    '\r\n' +
    json
  );
}
