import { Injectable, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { Page, PageQueryDto, toPage } from '../common/pagination/cursor';
import { byPages } from '../common/streaming/json-document';
import { runInTransaction } from '../database/transaction';
import { StoriesService } from '../stories/stories.service';
import { BlocksService } from '../users/blocks.service';
import { UsersService } from '../users/users.service';
import { blocked, ChatAccess, roomClosed, roomNotFound } from './chat-access';
import { ChatMessageWriter, type WrittenMessage } from './chat-message-writer';
import { ChatMessageSentEvent } from './chat.events';
import { ChatRepository } from './chat.repository';
import {
  ChatMessageDto,
  ChatRoomDto,
  type ReadStateDto,
  type SendMessageDto,
} from './dto/chat.dto';
import type { ChatMessage } from './entities/chat-message.entity';
import type { ChatRoom } from './entities/chat-room.entity';
import { AppMetrics } from '../metrics/app-metrics';
import { RealtimeService, userChannel } from '../realtime/realtime.service';

/** What a send did: `created` is false when a retry answered the message stored first. */
export type SentMessage = WrittenMessage;

/**
 * Chat rooms of accepted matching requests, their messages and read positions. Both the REST
 * controller and the socket gateway call this service, so both follow one set of rules:
 * only the two members see a room (others get 404), a closed room is read-only, messages are
 * stored before anyone is told about them, a retried send (same clientMessageId) is stored
 * once, and read positions only move forward.
 */
@Injectable()
export class ChatService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly chat: ChatRepository,
    private readonly users: UsersService,
    private readonly blocks: BlocksService,
    private readonly stories: StoriesService,
    private readonly realtime: RealtimeService,
    private readonly events: EventEmitter2,
    private readonly access: ChatAccess,
    private readonly writer: ChatMessageWriter,
    // absent in contexts without the metrics module (a script's own module set)
    @Optional() private readonly metrics?: AppMetrics,
  ) {}

  /**
   * Opens the room of an accepted matching request inside the caller's transaction, with its
   * two members. One room per request: when it exists already, its id is returned.
   */
  openRoomForRequest(
    manager: EntityManager,
    input: { matchingRequestId: number; storyId: number; travelerId: number; guideUserId: number },
  ): Promise<number> {
    return this.chat.openRoom(manager, input);
  }

  /** Makes the room of a cancelled request read-only; nothing happens when it has none. */
  closeRoomForRequest(manager: EntityManager, matchingRequestId: number): Promise<void> {
    return this.chat.closeRoomOfRequest(manager, matchingRequestId);
  }

  /** The messages the user sent, for their data export (docs/api.md, Blocking and account rights), oldest first. */
  async *exportSentBy(userId: number): AsyncGenerator<ChatMessageDto> {
    for await (const m of byPages((after) => this.chat.sentAfter(userId, after, 500))) {
      yield ChatMessageDto.from(m);
    }
  }

  /** Messages stored since `since`, for the admin dashboard. */
  countMessagesSince(since: Date): Promise<number> {
    return this.chat.countMessagesSince(since);
  }

  /** A message as stored, whoever asks (reports check membership with requireMember). */
  findMessage(messageId: number): Promise<ChatMessage | null> {
    return this.chat.findMessage(messageId);
  }

  findMessages(messageIds: number[]): Promise<ChatMessage[]> {
    return this.chat.findMessages(messageIds);
  }

  /** The room, when `user` is one of its two members; 404 for everybody else. */
  async requireMember(user: AuthUser, roomId: number): Promise<ChatRoom> {
    const room = await this.chat.findRoom(roomId);
    if (!room || (room.travelerId !== user.id && room.guideUserId !== user.id)) {
      throw roomNotFound();
    }
    return room;
  }

  /**
   * The caller's rooms, most recent activity first (a message or the close moves a room up),
   * keyset-paged on (updatedAt, id). Everything of a page comes in a fixed number of queries.
   */
  async listRooms(user: AuthUser, query: PageQueryDto): Promise<Page<ChatRoomDto>> {
    const rows = await this.chat.roomPage(user.id, query.limit, query.cursor);
    const page = toPage(
      rows,
      query.limit,
      (r) => [r.updatedAt.toISOString(), r.id],
      (r) => r,
    );
    return { items: await this.roomDtos(user, page.items), nextCursor: page.nextCursor };
  }

  async getRoom(user: AuthUser, roomId: number): Promise<ChatRoomDto> {
    const room = await this.requireMember(user, roomId);
    const [dto] = await this.roomDtos(user, [room]);
    return dto;
  }

  /**
   * Has this instance know what authorizes the member's sends in the room (ChatAccess), so
   * that the first message after joining reads nothing either.
   */
  async prepareToSend(user: AuthUser, roomId: number): Promise<void> {
    await this.access.blockedIn(await this.access.memberRoom(user.id, roomId));
  }

  /** Messages of a room, newest first; `cursor` pages to older ones (keyset on the id). */
  async listMessages(
    user: AuthUser,
    roomId: number,
    query: PageQueryDto,
  ): Promise<Page<ChatMessageDto>> {
    await this.requireMember(user, roomId);
    const rows = await this.chat.messagePage(roomId, query.limit, query.cursor);
    return toPage(rows, query.limit, (m) => [m.id], ChatMessageDto.from);
  }

  /**
   * Stores a text message, then pushes `message:new` to every socket in the room (docs/api.md, Chat:
   * everyone, the sending socket and the sender's other devices too; the sender also has it
   * in the ack, and clients match the two by id or clientMessageId). A retry with
   * the same clientMessageId answers the first message and pushes nothing; racing retries
   * are settled by the unique index.
   */
  async sendMessage(user: AuthUser, roomId: number, dto: SendMessageDto): Promise<SentMessage> {
    const room = await this.access.memberRoom(user.id, roomId);
    const clientMessageId = dto.clientMessageId ?? null;
    if (room.closed || (await this.access.blockedIn(room))) {
      // a retry of a message stored before the room stopped taking messages still answers it
      if (clientMessageId !== null) {
        const first = await this.chat.findByClientId(roomId, user.id, clientMessageId);
        if (first) return { message: ChatMessageDto.from(first), created: false };
      }
      throw room.closed ? roomClosed() : blocked();
    }
    const sent = await this.writer.write({
      roomId,
      senderId: user.id,
      content: dto.content,
      clientMessageId,
    });
    if (!sent.created) return sent;
    this.metrics?.chatMessageStored();
    this.realtime.emitToRoom(roomId, 'message:new', sent.message);
    // not awaited: the push side (offline members) must not slow the send
    this.events.emit(
      ChatMessageSentEvent.NAME,
      new ChatMessageSentEvent(
        sent.message.id,
        roomId,
        user.id,
        [room.travelerId, room.guideUserId].filter((id) => id !== user.id),
      ),
    );
    return sent;
  }

  /**
   * Moves the caller's read position forward to `messageId` (a message of this room, else
   * 404); an older id changes nothing. When it moved, the other member's sockets in the room
   * get `message:read`.
   */
  async markRead(user: AuthUser, roomId: number, messageId: number): Promise<ReadStateDto> {
    const room = await this.requireMember(user, roomId);
    const message = await this.chat.findMessageInRoom(messageId, roomId);
    if (!message) throw new DomainException('NOT_FOUND', 'Message not found in this room');
    const moved = await runInTransaction(this.dataSource, (manager) =>
      this.chat.moveReadPosition(manager, roomId, user.id, messageId),
    );
    // a block keeps the position moving but tells the other nothing (docs/api.md, Blocking and account rights)
    if (moved && !(await this.blockedIn(room))) {
      this.realtime.emitToRoom(roomId, 'message:read', { roomId, userId: user.id, messageId }, [
        userChannel(user.id),
      ]);
    }
    const member = await this.chat.findMember(roomId, user.id);
    const unread = await this.chat.unreadCounts(user.id, [roomId]);
    return {
      roomId,
      lastReadMessageId: member?.lastReadMessageId ?? null,
      unreadCount: unread.get(roomId) ?? 0,
    };
  }

  /** Tells the other member's sockets in the room that the caller is (not) typing. */
  async typing(user: AuthUser, roomId: number, isTyping: boolean): Promise<void> {
    const room = await this.requireMember(user, roomId);
    if (room.closedAt) throw roomClosed();
    if (await this.blockedIn(room)) return; // not relayed (docs/api.md, Blocking and account rights)
    this.realtime.emitToRoom(roomId, 'typing', { roomId, userId: user.id, isTyping }, [
      userChannel(user.id),
    ]);
  }

  /** Whether one member of the room blocked the other. */
  private blockedIn(room: ChatRoom): Promise<boolean> {
    return this.blocks.existsBetween(room.travelerId, room.guideUserId);
  }

  /** Room DTOs for `rooms` seen by `user`: peers, stories, last messages, unread counts. */
  private async roomDtos(user: AuthUser, rooms: ChatRoom[]): Promise<ChatRoomDto[]> {
    if (rooms.length === 0) return [];
    const peerOf = (r: ChatRoom) => (r.travelerId === user.id ? r.guideUserId : r.travelerId);
    const lastIds = rooms.map((r) => r.lastMessageId).filter((id): id is number => id !== null);
    const roomIds = rooms.map((r) => r.id);
    const [peerById, stories, lastMessages, unread] = await Promise.all([
      this.users.profiles(rooms.map(peerOf)),
      this.stories.summariesByIds(undefined, [...new Set(rooms.map((r) => r.storyId))]),
      this.chat.findMessages(lastIds),
      this.chat.unreadCounts(user.id, roomIds),
    ]);
    const storyById = new Map(stories.map((s) => [s.id, s]));
    const messageById = new Map(lastMessages.map((m) => [m.id, m]));
    return rooms.map((r) => {
      const peer = peerById.get(peerOf(r));
      const story = storyById.get(r.storyId);
      const last = r.lastMessageId !== null ? messageById.get(r.lastMessageId) : undefined;
      return {
        id: r.id,
        matchingRequestId: r.matchingRequestId,
        story: {
          id: r.storyId,
          title: story?.title ?? '',
          thumbnailUrl: story?.thumbnailUrl ?? null,
        },
        peer: {
          id: peerOf(r),
          nickname: peer?.nickname ?? '',
          profileImageUrl: peer?.profileImageUrl ?? null,
        },
        lastMessage: last ? ChatMessageDto.from(last) : null,
        unreadCount: unread.get(r.id) ?? 0,
        closed: r.closedAt !== null,
        updatedAt: r.updatedAt.toISOString(),
      };
    });
  }
}
