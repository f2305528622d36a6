import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';

/**
 * - `pass`: bytes flow both ways.
 * - `blackhole`: connections (old and new) stay open, but every byte either way is read and
 *   dropped, and neither side learns when the other closes: a dependency that stalls.
 * - `close`: every connection is reset and new ones are reset as soon as they are accepted:
 *   a dependency that is gone.
 */
export type ProxyMode = 'pass' | 'blackhole' | 'close';

interface Link {
  client: Socket;
  upstream: Socket;
  /** One side ended or closed while the other was not told (a black hole). */
  halfGone: boolean;
}

/**
 * A TCP proxy on loopback in front of `target`, to play a database or Redis that misbehaves
 * while the app keeps running. The mode can be switched at any time; `stop()` closes every
 * socket and the listener, so no handle outlives the suite.
 */
export class TcpProxy {
  private readonly server: Server;
  private readonly links = new Set<Link>();
  private current: ProxyMode = 'pass';
  readonly host = '127.0.0.1';
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer({ allowHalfOpen: true }, (client) => this.accept(client));
  }

  get mode(): ProxyMode {
    return this.current;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  setMode(mode: ProxyMode): void {
    this.current = mode;
    for (const link of this.links) {
      if (mode === 'close') this.reset(link);
      // what one side closed during a black hole is closed on the other side now
      else if (mode === 'pass' && link.halfGone) this.drop(link);
    }
  }

  async stop(): Promise<void> {
    for (const link of this.links) this.drop(link);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.current === 'close') {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({
      host: this.target.host,
      port: this.target.port,
      allowHalfOpen: true,
    });
    upstream.on('error', () => undefined);
    const link: Link = { client, upstream, halfGone: false };
    this.links.add(link);
    this.forward(link, client, upstream);
    this.forward(link, upstream, client);
  }

  private forward(link: Link, from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (this.current === 'pass' && !to.destroyed) to.write(chunk);
    });
    from.on('end', () => {
      if (this.current === 'pass') to.end();
      else link.halfGone = true;
    });
    from.on('close', () => {
      if (this.current === 'pass') to.destroy();
      else link.halfGone = true;
      if (link.client.destroyed && link.upstream.destroyed) this.links.delete(link);
    });
  }

  private reset(link: Link): void {
    if (!link.client.destroyed) link.client.resetAndDestroy();
    link.upstream.destroy();
    this.links.delete(link);
  }

  private drop(link: Link): void {
    link.client.destroy();
    link.upstream.destroy();
    this.links.delete(link);
  }
}
