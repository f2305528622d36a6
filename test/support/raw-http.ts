import { once } from 'node:events';
import { connect, Socket } from 'node:net';

/** Time to wait for something that must happen, before a test fails instead of hanging. */
export const RAW_WAIT_MS = 10_000;

export interface RawResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/**
 * One TCP connection that speaks HTTP/1.1 by hand, for what a normal client cannot do: send
 * half a request, stall, watch the server close the connection.
 */
export class RawHttpConnection {
  private received = '';
  /** When the server closed (or reset) the connection; null while it is open. */
  closedAt: number | null = null;
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.received += chunk));
    socket.on('error', () => undefined); // a reset shows as `closed`
    this.closed = once(socket, 'close').then(() => {
      this.closedAt = Date.now();
    });
  }

  static async open(port: number): Promise<RawHttpConnection> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return new RawHttpConnection(socket);
  }

  /** Writes bytes; resolves once they are handed to the kernel. */
  async write(data: string | Buffer): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.socket.write(data, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Everything received so far. */
  text(): string {
    return this.received;
  }

  /** Resolves when what was received satisfies `check` (or fails after `timeoutMs`). */
  async until(
    check: (received: string) => boolean,
    what: string,
    timeoutMs = RAW_WAIT_MS,
  ): Promise<void> {
    if (check(this.received)) return;
    await new Promise<void>((resolve, reject) => {
      const onData = () => {
        if (!check(this.received)) return;
        done();
        resolve();
      };
      const onClose = () => {
        done();
        if (check(this.received)) resolve();
        else reject(new Error(`connection closed before ${what}; got ${this.received}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.socket.off('data', onData);
        this.socket.off('close', onClose);
      };
      // the constructor's listener has already appended the chunk when this one runs
      this.socket.on('data', onData);
      this.socket.on('close', onClose);
    });
  }

  /** Resolves when the server has closed the connection (or fails after `timeoutMs`). */
  async untilClosed(timeoutMs = RAW_WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closed,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('timed out waiting for the server to close')),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Waits for the first complete final (non-1xx) response and returns it. */
  async response(timeoutMs = RAW_WAIT_MS): Promise<RawResponse> {
    await this.until((text) => parseResponse(text) !== null, 'a complete response', timeoutMs);
    return parseResponse(this.received) as RawResponse;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** The first final response in `text`, or null while it is incomplete. */
export function parseResponse(text: string): RawResponse | null {
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    if (!status) throw new Error(`not an HTTP response: ${JSON.stringify(rest.slice(0, 80))}`);
    rest = rest.slice(end + 4);
    if (status < 200) continue; // 100 Continue
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const body = Buffer.from(rest);
    if (body.length < length) return null;
    return { status, headers, body: body.subarray(0, length).toString() };
  }
}
