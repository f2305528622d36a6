import { io, Socket } from 'socket.io-client';
import { ChatService } from '../../src/chat/chat.service';
import type { ChatMessageDto, ChatRoomDto, ReadStateDto } from '../../src/chat/dto/chat.dto';
import { runInTransaction } from '../../src/database/transaction';
import { approvedGuide, GuideFixture, storyOf } from './fixtures';
import type { TestApp } from './test-app';
import { signIn, SignedIn } from './users';

/** Time to wait for an event that must come, before a test fails instead of hanging. */
export const EVENT_TIMEOUT_MS = 5000;

/** The acknowledgement of a `/chat` event (docs/api.md, Chat). */
export interface Ack {
  ok: boolean;
  error?: { code: string; message: string; details?: unknown };
  message?: ChatMessageDto;
  room?: ChatRoomDto;
  read?: ReadStateDto;
}

/**
 * Sockets of one suite: every socket made here is closed by {@link SocketPool.closeAll}
 * (call it in afterEach).
 */
export class SocketPool {
  private readonly sockets: Socket[] = [];

  /** A socket to `<baseUrl>/chat`, not yet connected (`autoConnect: false`). */
  create(baseUrl: string, auth: Record<string, unknown> | undefined): Socket {
    const socket = io(`${baseUrl}/chat`, {
      auth,
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      autoConnect: false,
    });
    this.sockets.push(socket);
    return socket;
  }

  /** A connected socket for `token`; fails on `connect_error`. */
  async connect(baseUrl: string, token: string): Promise<Socket> {
    const socket = this.create(baseUrl, { token });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
      socket.connect();
    });
    return socket;
  }

  /** The `connect_error` a handshake with `auth` ends in (fails if it connects instead). */
  async refusal(baseUrl: string, auth: Record<string, unknown> | undefined): Promise<Error> {
    const socket = this.create(baseUrl, auth);
    return new Promise<Error>((resolve, reject) => {
      socket.once('connect', () => reject(new Error('connected, but a refusal was expected')));
      socket.once('connect_error', (error) => resolve(error));
      socket.connect();
    });
  }

  closeAll(): void {
    for (const socket of this.sockets.splice(0)) socket.disconnect();
  }
}

/** Emits with an ack callback and resolves with the ack (fails after a timeout). */
export function emitAck(socket: Socket, event: string, ...args: unknown[]): Promise<Ack> {
  return socket.timeout(EVENT_TIMEOUT_MS).emitWithAck(event, ...args) as Promise<Ack>;
}

/** The next `event` on `socket` (its first argument). */
export function nextEvent<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no "${event}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    };
    socket.once(event, listener);
  });
}

/** Every `event` the socket receives from now on, in order (for "nothing else came" checks). */
export function record<T = Record<string, unknown>>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

/** Resolves when the socket is disconnected (by the server or otherwise), with the reason. */
export function disconnection(socket: Socket): Promise<string> {
  if (!socket.connected) return Promise.resolve('already disconnected');
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not disconnected within ${EVENT_TIMEOUT_MS} ms`)),
      EVENT_TIMEOUT_MS,
    );
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

export interface ChatRoomFixture {
  roomId: number;
  matchingRequestId: number;
  storyId: number;
  storyTitle: string;
  traveler: SignedIn;
  guide: GuideFixture;
}

let requestSequence = 0;

/**
 * A chat room between a new traveller and a (new or given) guide, opened the way the
 * matching module opens it on accept: ChatService.openRoomForRequest in a transaction.
 */
export async function openChatRoom(
  t: TestApp,
  options: { traveler?: SignedIn; guide?: GuideFixture } = {},
): Promise<ChatRoomFixture> {
  const guide = options.guide ?? (await approvedGuide(t));
  const traveler = options.traveler ?? (await signIn(t));
  const story = await storyOf(t, guide, { title: `Story for chat ${++requestSequence}` });
  // the matching module's requests table is not needed: the room keeps a plain request id
  const matchingRequestId = (process.pid % 100_000) * 1000 + requestSequence;
  const roomId = await runInTransaction(t.dataSource, (manager) =>
    t.app.get(ChatService).openRoomForRequest(manager, {
      matchingRequestId,
      storyId: story.id,
      travelerId: traveler.id,
      guideUserId: guide.id,
    }),
  );
  return { roomId, matchingRequestId, storyId: story.id, storyTitle: story.title, traveler, guide };
}

/** Closes the room as a cancelled matching request does. */
export async function closeChatRoom(t: TestApp, room: ChatRoomFixture): Promise<void> {
  await runInTransaction(t.dataSource, (manager) =>
    t.app.get(ChatService).closeRoomForRequest(manager, room.matchingRequestId),
  );
}
