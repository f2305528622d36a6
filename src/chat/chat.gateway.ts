import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { createAdapter } from '@socket.io/redis-adapter';
import cors from 'cors';
import Redis from 'ioredis';
import { JsonWebTokenError, TokenExpiredError, verify } from 'jsonwebtoken';
import { createHmac } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { createValidationPipe } from '../common/validation/validation';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import {
  isDependencyUnavailable,
  serviceUnavailable,
  unavailableReason,
} from '../database/dependency-errors';
import { UserWithdrawnEvent } from '../users/users.events';
import { UsersService } from '../users/users.service';
import { ChatRateLimiter } from './chat-rate-limiter';
import { ChatService } from './chat.service';
import {
  ReadMessagesPayload,
  RoomRefPayload,
  SendMessagePayload,
  TypingPayload,
} from './dto/chat.dto';
import { RealtimeService, roomChannel, userChannel } from '../realtime/realtime.service';

type AckFn = (response: unknown) => void;
type Ok = Record<string, unknown>;
interface SocketData {
  user: AuthUser;
  /** The event being handled; the next one waits for it (see `handle`). */
  queue?: Promise<void>;
}
type ChatSocket = Socket<
  Record<string, never>,
  Record<string, never>,
  Record<string, never>,
  SocketData
>;

const validation = createValidationPipe();
/** Codes after which the socket is closed as well: the account may not be used any more. */
const ACCOUNT_GONE = new Set(['ACCOUNT_SUSPENDED', 'UNAUTHORIZED']);

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

/** Validates a socket payload with the same strict rules as REST bodies. */
async function parse<T extends object>(type: new () => T, payload: unknown): Promise<T> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new DomainException('VALIDATION_FAILED', 'The payload must be an object');
  }
  return (await validation.transform(payload, { type: 'body', metatype: type })) as T;
}

function unauthorized(): DomainException {
  return new DomainException('UNAUTHORIZED', 'A valid access token is required');
}

/**
 * Socket.IO, namespace `/chat` (SPEC §7). Handshake auth and event routing only: the rules
 * live in ChatService, shared with the REST controller.
 *
 * - Connect: `auth.token` is verified like a bearer token (HS256 only) and the user is read
 *   from the database; refusals are `connect_error`s whose message is the error code.
 * - Every event re-reads the user, answers in its ack (`{ ok: true, ... }` or
 *   `{ ok: false, error: { code, message } }`) and never throws; a suspended or removed user
 *   gets the error and is disconnected.
 * - `message:new` goes to every socket in the room, the sending one included (it also has
 *   the message in its ack). `typing` and `message:read` go to the other member's sockets
 *   in the room only.
 * - With REDIS_URL the namespace runs on the Redis adapter, so rooms, user channels and
 *   disconnects span all instances.
 */
@WebSocketGateway({ namespace: '/chat' })
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnApplicationShutdown {
  private readonly logger = new Logger(ChatGateway.name);
  private redis: Redis[] = [];

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly chat: ChatService,
    private readonly users: UsersService,
    private readonly realtime: RealtimeService,
    private readonly rateLimiter: ChatRateLimiter,
  ) {}

  afterInit(namespace: Namespace): void {
    const server = namespace.server;
    if (this.config.corsOrigins.length > 0) {
      // the same origins as the HTTP API (app.setup.ts); only long-polling is subject to CORS
      server.engine.use(
        cors({
          origin: this.config.corsOrigins.includes('*') ? true : this.config.corsOrigins,
          credentials: true,
        }),
      );
    }
    if (this.config.redisUrl) this.useRedisAdapter(namespace, this.config.redisUrl);
    namespace.use((socket, next) => {
      this.authenticateHandshake(socket as ChatSocket).then(
        () => next(),
        (error: unknown) => next(this.connectError(error)),
      );
    });
    this.realtime.attach(namespace);
  }

  async handleConnection(socket: ChatSocket): Promise<void> {
    const user = socket.data.user;
    if (user) await socket.join(userChannel(user.id));
  }

  @SubscribeMessage('room:join')
  async joinRoom(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
    @Ack() ack?: AckFn,
  ): Promise<void> {
    await this.handle(socket, ack, async (user) => {
      const { roomId } = await parse(RoomRefPayload, payload);
      const room = await this.chat.getRoom(user, roomId);
      await socket.join(roomChannel(roomId));
      return { room };
    });
  }

  @SubscribeMessage('room:leave')
  async leaveRoom(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
    @Ack() ack?: AckFn,
  ): Promise<void> {
    await this.handle(socket, ack, async () => {
      const { roomId } = await parse(RoomRefPayload, payload);
      await socket.leave(roomChannel(roomId));
      return {};
    });
  }

  @SubscribeMessage('message:send')
  async sendMessage(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
    @Ack() ack?: AckFn,
  ): Promise<void> {
    await this.handle(socket, ack, async (user) => {
      const { roomId, ...dto } = await parse(SendMessagePayload, payload);
      await this.rateLimiter.consume(user.id);
      const { message } = await this.chat.sendMessage(user, roomId, dto);
      return { message };
    });
  }

  @SubscribeMessage('typing')
  async typing(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
    @Ack() ack?: AckFn,
  ): Promise<void> {
    await this.handle(socket, ack, async (user) => {
      const { roomId, isTyping } = await parse(TypingPayload, payload);
      await this.chat.typing(user, roomId, isTyping);
      return {};
    });
  }

  @SubscribeMessage('message:read')
  async markRead(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
    @Ack() ack?: AckFn,
  ): Promise<void> {
    await this.handle(socket, ack, async (user) => {
      const { roomId, messageId } = await parse(ReadMessagesPayload, payload);
      return { read: await this.chat.markRead(user, roomId, messageId) };
    });
  }

  @OnEvent('user.suspended')
  async onUserSuspended(event: { userId: number }): Promise<void> {
    await this.realtime.disconnectUser(event.userId);
  }

  @OnEvent(UserWithdrawnEvent.NAME)
  async onUserWithdrawn(event: UserWithdrawnEvent): Promise<void> {
    await this.realtime.disconnectUser(event.userId);
  }

  async onApplicationShutdown(): Promise<void> {
    // runs after Nest closed the Socket.IO server (and with it the adapter's subscriptions)
    this.realtime.detach();
    const clients = this.redis;
    this.redis = [];
    await Promise.all(clients.map((client) => closeRedis(client)));
  }

  /**
   * Runs one event after the socket's previous ones, so that messages a client sends without
   * waiting for acks are stored (and delivered) in the order it sent them.
   */
  private handle(
    socket: ChatSocket,
    ack: AckFn | undefined,
    work: (user: AuthUser) => Promise<Ok>,
  ): Promise<void> {
    const run = (socket.data.queue ?? Promise.resolve()).then(() =>
      this.runEvent(socket, ack, work),
    );
    socket.data.queue = run;
    return run;
  }

  /** Re-reads the caller, does the work, answers the ack; never throws. */
  private async runEvent(
    socket: ChatSocket,
    ack: AckFn | undefined,
    work: (user: AuthUser) => Promise<Ok>,
  ): Promise<void> {
    let response: Ok;
    let disconnect = false;
    try {
      const user = await this.users.authenticate(socket.data.user.id);
      socket.data.user = user;
      response = { ok: true, ...(await work(user)) };
    } catch (error) {
      const { code, message, details } = this.describe(error);
      disconnect = ACCOUNT_GONE.has(code);
      response = {
        ok: false,
        error: details === undefined ? { code, message } : { code, message, details },
      };
    }
    if (typeof ack === 'function') {
      try {
        ack(response);
      } catch (error) {
        this.logger.warn(`Ack failed: ${(error as Error).message}`);
      }
    }
    if (disconnect) socket.disconnect(true);
  }

  private describe(error: unknown): { code: string; message: string; details?: unknown } {
    if (error instanceof DomainException) {
      return { code: error.code, message: error.message, details: error.details };
    }
    if (isDependencyUnavailable(error)) {
      this.logger.warn(`Socket event: ${unavailableReason(error)}`);
      const { code, message } = serviceUnavailable();
      return { code, message };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { code: 'INTERNAL_ERROR', message: 'Something went wrong' };
  }

  private async authenticateHandshake(socket: ChatSocket): Promise<void> {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const raw = typeof auth?.token === 'string' ? auth.token : undefined;
    const token = raw?.replace(/^Bearer\s+/i, '').trim();
    if (!token) throw unauthorized();
    let payload: unknown;
    try {
      payload = verify(token, this.config.jwt.secret, { algorithms: ['HS256'] });
    } catch (error) {
      if (error instanceof TokenExpiredError) {
        throw new DomainException('TOKEN_EXPIRED', 'Access token has expired');
      }
      if (error instanceof JsonWebTokenError) throw unauthorized();
      throw error;
    }
    const sub = (payload as { sub?: unknown } | null)?.sub;
    const id = typeof sub === 'string' ? Number(sub) : NaN;
    if (!Number.isSafeInteger(id) || id < 1) throw unauthorized();
    socket.data.user = await this.users.authenticate(id);
  }

  /** The handshake refusal: its message is the error code (what clients switch on). */
  private connectError(error: unknown): Error {
    const { code, message } = this.describe(error);
    return Object.assign(new Error(code), { data: { code, message } });
  }

  private useRedisAdapter(namespace: Namespace, url: string): void {
    // ioredis' default reconnects: nothing waits for these clients (a chat send never waits
    // for a publish), so a Redis that stalls delays only the delivery to other instances
    const pub = new Redis(url);
    const sub = pub.duplicate();
    for (const client of [pub, sub]) {
      client.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
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
    // instances that can verify each other's tokens share channels; other deployments on
    // the same Redis (another secret) never see this one's events
    const key = `storybook-chat-${createHmac('sha256', this.config.jwt.secret)
      .update('socket.io channel')
      .digest('hex')
      .slice(0, 16)}`;
    namespace.server.adapter(createAdapter(pub, sub, { key }));
  }
}
