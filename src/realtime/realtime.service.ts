import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import cors from 'cors';
import Redis from 'ioredis';
import { createHmac } from 'node:crypto';
import type { Namespace } from 'socket.io';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';

/** The private channel of one user: every socket of theirs joins it on connect. */
export const userChannel = (userId: number): string => `user:${userId}`;
/** The socket room of a chat room: sockets of members that sent `room:join`. */
export const roomChannel = (roomId: number): string => `room:${roomId}`;

/** The server-side event that carries instance notices (see `notifyInstances`). */
const NOTICE_EVENT = 'instance:notice';
/** How long `notifyInstances` waits for the other instances' answers. */
const NOTICE_TIMEOUT_MS = 5000;

export type NoticeHandler = (payload: unknown) => void;

type NoticeListener = (name: unknown, payload: unknown, ack?: (answer: unknown) => void) => void;

/**
 * Quits a Redis client politely when it is connected, else drops it at once: `quit()` on a
 * client that never reached Redis would wait for the connection forever.
 */
async function closeRedis(client: Redis): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.quit().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000))),
  ]);
  clearTimeout(timer);
  if ((client.status as string) !== 'end') client.disconnect();
}

/**
 * The socket side of the service, shared by every module that tells connected clients
 * something (chat messages, notifications, media status): the `/chat` namespace's server
 * setup (CORS for long-polling, the Redis adapter), user channels, and emitting.
 *
 * With REDIS_URL set the namespace runs on the Redis adapter, so every call here reaches the
 * sockets of all instances. Before the gateway is up (or in the CLI and worker processes) the
 * calls do nothing: the data is stored anyway, and clients read it over REST.
 */
@Injectable()
export class RealtimeService implements OnApplicationShutdown {
  private readonly logger = new Logger(RealtimeService.name);
  private namespace: Namespace | null = null;
  private redis: Redis[] = [];
  private readonly noticeHandlers = new Map<string, NoticeHandler[]>();
  private readonly resumedHandlers: (() => void)[] = [];

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  /**
   * Called by the gateway once its namespace exists; in a worker process, with a namespace
   * of a server without HTTP (it only publishes through the Redis adapter, so what the jobs
   * tell clients reaches them through the API instances that hold their sockets).
   */
  attach(namespace: Namespace): void {
    const server = namespace.server;
    // a worker's server has no engine (no HTTP), and nothing to open to browsers
    if (this.config.corsOrigins.length > 0 && server.engine) {
      // the same origins as the HTTP API (app.setup.ts); only long-polling is subject to CORS
      server.engine.use(
        cors({
          origin: this.config.corsOrigins.includes('*') ? true : this.config.corsOrigins,
          credentials: true,
        }),
      );
    }
    if (this.config.redisUrl) this.useRedisAdapter(namespace, this.config.redisUrl);
    // every instance answers notices, whether or not anything here listens to that name (a
    // worker has no chat): the sender waits for all of them
    (namespace as unknown as { on(event: string, listener: NoticeListener): void }).on(
      NOTICE_EVENT,
      (name, payload, ack) => {
        this.runNoticeHandlers(name, payload);
        if (typeof ack === 'function') ack(true);
      },
    );
    this.namespace = namespace;
  }

  /** Runs `handler` whenever a notice called `name` is sent, by this instance or another. */
  onNotice(name: string, handler: NoticeHandler): void {
    this.noticeHandlers.set(name, [...(this.noticeHandlers.get(name) ?? []), handler]);
  }

  /**
   * Whether this instance hears every notice sent: always on its own, with Redis only while
   * both of its Redis links are up. When it is false, notices of other instances may be lost
   * (Redis does not replay them), so what they would drop must not be trusted meanwhile.
   */
  hearsNotices(): boolean {
    return this.redis.every((client) => client.status === 'ready');
  }

  /**
   * Runs `handler` each time the Redis links are up again after a break (and when they first
   * come up): notices sent meanwhile were lost, so whatever they would have dropped goes.
   */
  onNoticesResumed(handler: () => void): void {
    this.resumedHandlers.push(handler);
  }

  /**
   * Tells every instance (this one first, then the others through the Redis adapter) and
   * resolves once all of them ran their handlers: what the caller changed is known everywhere
   * when this returns. An instance that does not answer within a few seconds (gone, Redis
   * away) is given up on with a warning.
   */
  async notifyInstances(name: string, payload: unknown): Promise<void> {
    this.runNoticeHandlers(name, payload);
    const namespace = this.namespace;
    if (!namespace || this.redis.length === 0) return;
    if (!this.hearsNotices()) {
      // Redis is away: nothing would carry the notice (it would wait in the client's queue),
      // and instances that cannot hear notices trust nothing they keep until Redis is back
      this.logger.warn(`Notice ${name} not sent to other instances: Redis is not connected`);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        namespace.serverSideEmitWithAck(NOTICE_EVENT, name, payload),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer in ${NOTICE_TIMEOUT_MS} ms`)),
            NOTICE_TIMEOUT_MS,
          );
        }),
      ]);
    } catch (error) {
      this.logger.warn(
        `Notice ${name} not confirmed by every instance: ${(error as Error).message}`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private runNoticeHandlers(name: unknown, payload: unknown): void {
    for (const handler of this.noticeHandlers.get(String(name)) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        this.logger.error(`Notice ${String(name)}: ${(error as Error).message}`);
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // runs after Nest closed the Socket.IO server (and with it the adapter's subscriptions)
    this.namespace = null;
    const clients = this.redis;
    this.redis = [];
    await Promise.all(clients.map((client) => closeRedis(client)));
  }

  /** Sockets connected to this instance's `/chat` namespace (0 before the gateway is up). */
  localSocketCount(): number {
    return this.namespace?.sockets.size ?? 0;
  }

  /** To every socket (every device, every instance) of the user. */
  emitToUser(userId: number, event: string, payload: unknown): void {
    this.namespace?.to(userChannel(userId)).emit(event, payload);
  }

  /**
   * To every socket in a chat room's socket room; `except` leaves out channels (a socket id
   * or a user channel), e.g. the device that sent a message or the reader's own devices.
   */
  emitToRoom(roomId: number, event: string, payload: unknown, except: string[] = []): void {
    if (!this.namespace) return;
    const target = this.namespace.to(roomChannel(roomId));
    (except.length > 0 ? target.except(except) : target).emit(event, payload);
  }

  /**
   * Whether the user has a socket connected on any instance (with the Redis adapter the
   * other instances are asked too, unless a socket is here). False when it cannot tell within
   * `timeoutMs` (Redis away, an instance that does not answer) or there is no namespace here.
   */
  async hasSockets(userId: number, timeoutMs = 1000): Promise<boolean> {
    if (!this.namespace) return false;
    // a socket here answers it without asking the other instances
    if ((this.namespace.adapter.rooms.get(userChannel(userId))?.size ?? 0) > 0) return true;
    // Redis away: the others cannot be asked (it would only wait for the timeout)
    if (!this.hearsNotices()) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      const sockets = await Promise.race([
        this.namespace.in(userChannel(userId)).fetchSockets(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return sockets.length > 0;
    } catch (error) {
      this.logger.warn(
        `Could not tell whether user ${userId} is connected: ${(error as Error).message}`,
      );
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every socket of the user on every instance (suspension, withdrawal). */
  async disconnectUser(userId: number): Promise<void> {
    if (!this.namespace) return;
    try {
      // with the Redis adapter this is forwarded to the other instances too
      await Promise.resolve(this.namespace.in(userChannel(userId)).disconnectSockets(true));
    } catch (error) {
      this.logger.warn(`Could not disconnect user ${userId}: ${(error as Error).message}`);
    }
  }

  /** Closes the user's sockets connected to this instance only. */
  disconnectLocalUser(userId: number): void {
    this.namespace?.local.in(userChannel(userId)).disconnectSockets(true);
  }

  private useRedisAdapter(namespace: Namespace, url: string): void {
    // nothing waits for these clients (a chat send never waits for a publish), so a Redis that
    // stalls delays only the delivery to other instances; commands wait however long Redis is
    // away (ioredis' default of 20 retries would end in an unhandled rejection that stops Node)
    const pub = new Redis(url, { maxRetriesPerRequest: null });
    const sub = pub.duplicate();
    for (const client of [pub, sub]) {
      client.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
      client.on('ready', () => {
        for (const handler of this.resumedHandlers) handler();
      });
    }
    // the adapter publishes without handling failures; while Redis is away a failed publish
    // must be a logged warning (the message is stored anyway), not an unhandled rejection
    const publish = pub.publish.bind(pub) as (channel: string, message: string) => Promise<number>;
    pub.publish = ((channel: string, message: string) => {
      const result = publish(channel, message);
      result.catch((error: Error) => this.logger.warn(`Redis publish: ${error.message}`));
      return result;
    }) as typeof pub.publish;
    this.redis = [pub, sub];
    // the instances of one deployment (one REDIS_KEY_PREFIX, one secret: they verify each
    // other's tokens) share channels; another deployment on the same Redis never sees this
    // one's events, nor is it asked who is connected
    const key = `${this.config.redisKeyPrefix}:chat-${createHmac('sha256', this.config.jwt.secret)
      .update('socket.io channel')
      .digest('hex')
      .slice(0, 16)}`;
    namespace.server.adapter(createAdapter(pub, sub, { key }));
  }
}
