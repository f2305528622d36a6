import { Logger } from '@nestjs/common';
import { OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { AccessTokenService, bearerToken } from '../auth/access-token.service';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { isId } from '../common/validation/id';
import { createValidationPipe, textProblem } from '../common/validation/validation';
import {
  isDependencyUnavailable,
  serviceUnavailable,
  unavailableReason,
} from '../database/dependency-errors';
import { ChatAccess } from './chat-access';
import { ChatRateLimiter } from './chat-rate-limiter';
import { ChatService } from './chat.service';
import { MAX_CLIENT_MESSAGE_ID_LENGTH, MAX_MESSAGE_LENGTH } from './entities/chat-message.entity';
import {
  ReadMessagesPayload,
  RoomRefPayload,
  SendMessagePayload,
  TypingPayload,
} from './dto/chat.dto';
import { RealtimeService, roomChannel, userChannel } from '../realtime/realtime.service';

type AckFn = (response: unknown) => void;
type EventWork = (socket: ChatSocket, user: AuthUser, payload: unknown) => Promise<Ok>;
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

/** Validates a socket payload with the same strict rules as REST bodies. */
async function parse<T extends object>(type: new () => T, payload: unknown): Promise<T> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new DomainException('VALIDATION_FAILED', 'The payload must be an object');
  }
  return (await validation.transform(payload, { type: 'body', metatype: type })) as T;
}

const SEND_FIELDS = new Set(['roomId', 'content', 'clientMessageId']);

/**
 * `message:send` as the validation pipe would make it, for a payload that plainly passes
 * every rule of SendMessagePayload (an id, trimmed content of 1–2,000 characters free of
 * control characters, an optional one-line clientMessageId of 1–64): the common case, without
 * the cost of class-transformer and class-validator per message. Anything else is null and
 * goes through the pipe, which finds and words the errors.
 */
function plainSendPayload(payload: unknown): SendMessagePayload | null {
  if (payload === null || typeof payload !== 'object') return null;
  const proto = Object.getPrototypeOf(payload) as unknown;
  if (proto !== Object.prototype && proto !== null) return null;
  const { roomId, content, clientMessageId } = payload as Record<string, unknown>;
  for (const key of Object.keys(payload)) if (!SEND_FIELDS.has(key)) return null;
  if (!isId(roomId) || typeof content !== 'string') return null;
  const text = content.trim().replace(/\r\n/g, '\n');
  // UTF-16 length ≥ code points: within 2,000 units it is within 2,000 characters
  if (text.length < 1 || text.length > MAX_MESSAGE_LENGTH) return null;
  if (textProblem(text, 'content', true) !== null) return null;
  const result = Object.assign(new SendMessagePayload(), { roomId, content: text });
  if (clientMessageId === undefined) return result;
  if (clientMessageId === null) return Object.assign(result, { clientMessageId: null });
  if (typeof clientMessageId !== 'string') return null;
  if (clientMessageId.length < 1 || clientMessageId.length > MAX_CLIENT_MESSAGE_ID_LENGTH) {
    return null;
  }
  if (textProblem(clientMessageId, 'clientMessageId', false) !== null) return null;
  return Object.assign(result, { clientMessageId });
}

/**
 * Socket.IO, namespace `/chat` (docs/api.md, Chat). Handshake auth and event routing only: the rules
 * live in ChatService, shared with the REST controller.
 *
 * - Connect: `auth.token` is verified by AccessTokenService, as the HTTP guard verifies bearer
 *   tokens; refusals are `connect_error`s whose message is the error code.
 * - Every event checks the user is still active (ChatAccess), answers in its ack (`{ ok: true, ... }` or
 *   `{ ok: false, error: { code, message } }`) and never throws; a suspended or removed user
 *   gets the error and is disconnected.
 * - `message:new` goes to every socket in the room, the sending one included (it also has
 *   the message in its ack). `typing` and `message:read` go to the other member's sockets
 *   in the room only.
 * - The namespace's server setup (CORS, the Redis adapter that makes rooms, user channels and
 *   disconnects span all instances) is RealtimeService's.
 */
/** The events clients send (docs/asyncapi.yaml); the gateway listens to exactly these. */
export const CHAT_CLIENT_EVENTS = [
  'room:join',
  'room:leave',
  'message:send',
  'typing',
  'message:read',
] as const;
type ChatClientEvent = (typeof CHAT_CLIENT_EVENTS)[number];

@WebSocketGateway({ namespace: '/chat' })
export class ChatGateway implements OnGatewayInit {
  private readonly logger = new Logger(ChatGateway.name);
  /** The socket events and their work; one listener function each, shared by all sockets. */
  private readonly listeners: [string, (this: ChatSocket, ...args: unknown[]) => void][];

  constructor(
    private readonly tokens: AccessTokenService,
    private readonly chat: ChatService,
    private readonly realtime: RealtimeService,
    private readonly rateLimiter: ChatRateLimiter,
    private readonly access: ChatAccess,
  ) {
    // a work for each event of CHAT_CLIENT_EVENTS, and for no other (the type says so)
    const work: Record<ChatClientEvent, EventWork> = {
      'room:join': (socket, user, payload) => this.joinRoom(socket, user, payload),
      'room:leave': (socket, _user, payload) => this.leaveRoom(socket, payload),
      'message:send': (_socket, user, payload) => this.sendMessage(user, payload),
      typing: (_socket, user, payload) => this.typing(user, payload),
      'message:read': (_socket, user, payload) => this.markRead(user, payload),
    };
    const events = CHAT_CLIENT_EVENTS.map((event): [string, EventWork] => [event, work[event]]);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the listeners' `this` is the socket
    const gateway = this;
    this.listeners = events.map(([event, work]) => [
      event,
      function (this: ChatSocket, ...args: unknown[]): void {
        // the ack is the last argument when the client asked for one (the payload may be absent)
        const last = args[args.length - 1];
        const ack = typeof last === 'function' ? (last as AckFn) : undefined;
        const payload = ack && args.length === 1 ? undefined : args[0];
        void gateway.handle(this, ack, (user) => work(this, user, payload));
      },
    ]);
  }

  afterInit(namespace: Namespace): void {
    this.realtime.attach(namespace);
    namespace.use((socket, next) => {
      this.authenticateHandshake(socket as ChatSocket).then(
        () => next(),
        (error: unknown) => next(this.connectError(error)),
      );
    });
    // plain listeners rather than @SubscribeMessage: Nest's adapter builds a pipeline of
    // observables per event and socket, most of an idle socket's memory
    namespace.on('connection', (socket: ChatSocket) => {
      void socket.join(userChannel(socket.data.user.id));
      for (const [event, listener] of this.listeners) socket.on(event as never, listener as never);
    });
  }

  private async joinRoom(socket: ChatSocket, user: AuthUser, payload: unknown): Promise<Ok> {
    const { roomId } = await parse(RoomRefPayload, payload);
    const room = await this.chat.getRoom(user, roomId);
    await this.chat.prepareToSend(user, roomId);
    await socket.join(roomChannel(roomId));
    return { room };
  }

  private async leaveRoom(socket: ChatSocket, payload: unknown): Promise<Ok> {
    const { roomId } = await parse(RoomRefPayload, payload);
    await socket.leave(roomChannel(roomId));
    return {};
  }

  private async sendMessage(user: AuthUser, payload: unknown): Promise<Ok> {
    const { roomId, ...dto } =
      plainSendPayload(payload) ?? (await parse(SendMessagePayload, payload));
    await this.rateLimiter.consume(user.id);
    const { message } = await this.chat.sendMessage(user, roomId, dto);
    return { message };
  }

  private async typing(user: AuthUser, payload: unknown): Promise<Ok> {
    const { roomId, isTyping } = await parse(TypingPayload, payload);
    await this.chat.typing(user, roomId, isTyping);
    return {};
  }

  private async markRead(user: AuthUser, payload: unknown): Promise<Ok> {
    const { roomId, messageId } = await parse(ReadMessagesPayload, payload);
    return { read: await this.chat.markRead(user, roomId, messageId) };
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
    // an idle socket keeps no settled promise
    return run.then(() => {
      if (socket.data.queue === run) socket.data.queue = undefined;
    });
  }

  /**
   * Checks the caller is still active (ChatAccess: known without a read until a suspension
   * or withdrawal is heard on every instance), does the work, answers the ack; never throws.
   */
  private async runEvent(
    socket: ChatSocket,
    ack: AckFn | undefined,
    work: (user: AuthUser) => Promise<Ok>,
  ): Promise<void> {
    let response: Ok;
    let disconnect = false;
    try {
      const user = await this.access.activeUser(socket.data.user.id);
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
    const raw = typeof auth?.token === 'string' ? auth.token.trim() : '';
    // the token alone, or as an Authorization header value would carry it
    const token = bearerToken(raw) ?? raw;
    if (!token) throw new DomainException('UNAUTHORIZED', 'A valid access token is required');
    socket.data.user = await this.tokens.authenticate(token);
  }

  /** The handshake refusal: its message is the error code (what clients switch on). */
  private connectError(error: unknown): Error {
    const { code, message } = this.describe(error);
    return Object.assign(new Error(code), { data: { code, message } });
  }
}
