import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { decodeCursor, Page, PageQueryDto, toPage } from '../common/pagination/cursor';
import { isUniqueViolation } from '../database/sql';
import { runInTransaction } from '../database/transaction';
import { StoriesService } from '../stories/stories.service';
import { User } from '../users/entities/user.entity';
import {
  ChatMessageDto,
  ChatRoomDto,
  type ReadStateDto,
  type SendMessageDto,
} from './dto/chat.dto';
import { ChatMessage } from './entities/chat-message.entity';
import { ChatRoomMember } from './entities/chat-room-member.entity';
import { ChatRoom } from './entities/chat-room.entity';
import { RealtimeService, userChannel } from '../realtime/realtime.service';

/** What a send did: `created` is false when a retry answered the message stored first. */
export interface SentMessage {
  message: ChatMessageDto;
  created: boolean;
}

function roomNotFound(): DomainException {
  return new DomainException('NOT_FOUND', 'Chat room not found');
}

function roomClosed(): DomainException {
  return new DomainException(
    'CHAT_ROOM_CLOSED',
    'This chat room is closed: the matching request was cancelled',
  );
}

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
    @InjectRepository(ChatRoom) private readonly rooms: Repository<ChatRoom>,
    @InjectRepository(ChatRoomMember) private readonly members: Repository<ChatRoomMember>,
    @InjectRepository(ChatMessage) private readonly messages: Repository<ChatMessage>,
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly dataSource: DataSource,
    private readonly stories: StoriesService,
    private readonly realtime: RealtimeService,
  ) {}

  /**
   * Opens the room of an accepted matching request inside the caller's transaction, with its
   * two members. One room per request: when it exists already, its id is returned.
   */
  async openRoomForRequest(
    manager: EntityManager,
    input: { matchingRequestId: number; storyId: number; travelerId: number; guideUserId: number },
  ): Promise<number> {
    const existing = await manager.findOne(ChatRoom, {
      select: { id: true },
      where: { matchingRequestId: input.matchingRequestId },
    });
    if (existing) return existing.id;
    const now = new Date();
    const inserted = await manager.insert(ChatRoom, {
      matchingRequestId: input.matchingRequestId,
      storyId: input.storyId,
      travelerId: input.travelerId,
      guideUserId: input.guideUserId,
      closedAt: null,
      lastMessageId: null,
      lastMessageAt: null,
      createdAt: now,
      updatedAt: now,
    });
    const roomId = Number((inserted.identifiers[0] as { id: number }).id);
    await manager.insert(ChatRoomMember, [
      { roomId, userId: input.travelerId, lastReadMessageId: null },
      { roomId, userId: input.guideUserId, lastReadMessageId: null },
    ]);
    return roomId;
  }

  /** Makes the room of a cancelled request read-only; nothing happens when it has none. */
  async closeRoomForRequest(manager: EntityManager, matchingRequestId: number): Promise<void> {
    const now = new Date();
    await manager
      .createQueryBuilder()
      .update(ChatRoom)
      .set({ closedAt: now, updatedAt: now })
      .where('matching_request_id = :matchingRequestId AND closed_at IS NULL', {
        matchingRequestId,
      })
      .execute();
  }

  /** Messages stored since `since`, for the admin dashboard. */
  countMessagesSince(since: Date): Promise<number> {
    return this.messages
      .createQueryBuilder('m')
      .where('m.created_at >= :since', { since })
      .getCount();
  }

  /** A message as stored, whoever asks (reports check membership with requireMember). */
  findMessage(messageId: number): Promise<ChatMessage | null> {
    return this.messages.findOneBy({ id: messageId });
  }

  findMessages(messageIds: number[]): Promise<ChatMessage[]> {
    return messageIds.length === 0
      ? Promise.resolve([])
      : this.messages.findBy({ id: In(messageIds) });
  }

  /** The room, when `user` is one of its two members; 404 for everybody else. */
  async requireMember(user: AuthUser, roomId: number): Promise<ChatRoom> {
    const room = await this.rooms.findOneBy({ id: roomId });
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
    const qb = this.rooms
      .createQueryBuilder('r')
      .innerJoin(ChatRoomMember, 'me', 'me.room_id = r.id AND me.user_id = :userId', {
        userId: user.id,
      });
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, ['date', 'id']);
      qb.andWhere('(r.updated_at < :at OR (r.updated_at = :at AND r.id < :id))', {
        at: new Date(at as string),
        id,
      });
    }
    const rows = await qb
      .orderBy('r.updated_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(query.limit + 1)
      .getMany();
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

  /** Messages of a room, newest first; `cursor` pages to older ones (keyset on the id). */
  async listMessages(
    user: AuthUser,
    roomId: number,
    query: PageQueryDto,
  ): Promise<Page<ChatMessageDto>> {
    await this.requireMember(user, roomId);
    const qb = this.messages.createQueryBuilder('m').where('m.room_id = :roomId', { roomId });
    if (query.cursor) {
      const [id] = decodeCursor(query.cursor, ['id']);
      qb.andWhere('m.id < :before', { before: id });
    }
    const rows = await qb
      .orderBy('m.id', 'DESC')
      .limit(query.limit + 1)
      .getMany();
    return toPage(rows, query.limit, (m) => [m.id], ChatMessageDto.from);
  }

  /**
   * Stores a text message, then pushes `message:new` to every socket in the room (SPEC §7:
   * everyone, the sending socket and the sender's other devices too; the sender also has it
   * in the ack, and clients match the two by id or clientMessageId). A retry with
   * the same clientMessageId answers the first message and pushes nothing; racing retries
   * are settled by the unique index.
   */
  async sendMessage(user: AuthUser, roomId: number, dto: SendMessageDto): Promise<SentMessage> {
    const room = await this.requireMember(user, roomId);
    const clientMessageId = dto.clientMessageId ?? null;
    if (clientMessageId !== null) {
      const first = await this.messages.findOneBy({ roomId, senderId: user.id, clientMessageId });
      if (first) return { message: ChatMessageDto.from(first), created: false };
    }
    if (room.closedAt) throw roomClosed();

    let messageId: number;
    try {
      messageId = await runInTransaction(this.dataSource, async (manager) => {
        const now = new Date();
        // first: lock the room row and check it is still open, so a cancellation cannot
        // slip in between, and so `last_message_id` is written in id order
        const open = await manager
          .createQueryBuilder()
          .update(ChatRoom)
          .set({ updatedAt: now })
          .where('id = :roomId AND closed_at IS NULL', { roomId })
          .execute();
        if (!open.affected) throw roomClosed();
        const inserted = await manager.insert(ChatMessage, {
          roomId,
          senderId: user.id,
          type: 'text',
          content: dto.content,
          clientMessageId,
          createdAt: now,
        });
        const id = Number((inserted.identifiers[0] as { id: number }).id);
        await manager.update(ChatRoom, { id: roomId }, { lastMessageId: id, lastMessageAt: now });
        return id;
      });
    } catch (error) {
      if (clientMessageId !== null && isUniqueViolation(error)) {
        const first = await this.messages.findOneBy({
          roomId,
          senderId: user.id,
          clientMessageId,
        });
        if (first) return { message: ChatMessageDto.from(first), created: false };
      }
      throw error;
    }
    const message = ChatMessageDto.from(await this.messages.findOneByOrFail({ id: messageId }));
    this.realtime.emitToRoom(roomId, 'message:new', message);
    return { message, created: true };
  }

  /**
   * Moves the caller's read position forward to `messageId` (a message of this room, else
   * 404); an older id changes nothing. When it moved, the other member's sockets in the room
   * get `message:read`.
   */
  async markRead(user: AuthUser, roomId: number, messageId: number): Promise<ReadStateDto> {
    await this.requireMember(user, roomId);
    const message = await this.messages.findOne({
      select: { id: true },
      where: { id: messageId, roomId },
    });
    if (!message) throw new DomainException('NOT_FOUND', 'Message not found in this room');
    const moved = await runInTransaction(this.dataSource, async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(ChatRoomMember)
        .set({ lastReadMessageId: messageId })
        .where('room_id = :roomId AND user_id = :userId', { roomId, userId: user.id })
        .andWhere('(last_read_message_id IS NULL OR last_read_message_id < :messageId)', {
          messageId,
        })
        .execute();
      return (result.affected ?? 0) > 0;
    });
    if (moved) {
      this.realtime.emitToRoom(roomId, 'message:read', { roomId, userId: user.id, messageId }, [
        userChannel(user.id),
      ]);
    }
    const member = await this.members.findOneByOrFail({ roomId, userId: user.id });
    const unread = await this.unreadCounts(user.id, [roomId]);
    return {
      roomId,
      lastReadMessageId: member.lastReadMessageId,
      unreadCount: unread.get(roomId) ?? 0,
    };
  }

  /** Tells the other member's sockets in the room that the caller is (not) typing. */
  async typing(user: AuthUser, roomId: number, isTyping: boolean): Promise<void> {
    const room = await this.requireMember(user, roomId);
    if (room.closedAt) throw roomClosed();
    this.realtime.emitToRoom(roomId, 'typing', { roomId, userId: user.id, isTyping }, [
      userChannel(user.id),
    ]);
  }

  /** Room DTOs for `rooms` seen by `user`: peers, stories, last messages, unread counts. */
  private async roomDtos(user: AuthUser, rooms: ChatRoom[]): Promise<ChatRoomDto[]> {
    if (rooms.length === 0) return [];
    const peerOf = (r: ChatRoom) => (r.travelerId === user.id ? r.guideUserId : r.travelerId);
    const lastIds = rooms.map((r) => r.lastMessageId).filter((id): id is number => id !== null);
    const roomIds = rooms.map((r) => r.id);
    const [peers, stories, lastMessages, unread] = await Promise.all([
      this.users.find({
        select: { id: true, nickname: true, profileImageUrl: true },
        where: { id: In([...new Set(rooms.map(peerOf))]) },
      }),
      this.stories.summariesByIds(undefined, [...new Set(rooms.map((r) => r.storyId))]),
      lastIds.length > 0 ? this.messages.findBy({ id: In(lastIds) }) : Promise.resolve([]),
      this.unreadCounts(user.id, roomIds),
    ]);
    const peerById = new Map(peers.map((p) => [p.id, p]));
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

  /**
   * Per room: messages from someone else (system messages have no sender and do not count)
   * newer than the user's read position. One grouped query for all rooms.
   */
  private async unreadCounts(userId: number, roomIds: number[]): Promise<Map<number, number>> {
    if (roomIds.length === 0) return new Map();
    const rows = await this.messages
      .createQueryBuilder('m')
      .innerJoin(ChatRoomMember, 'me', 'me.room_id = m.room_id AND me.user_id = :userId', {
        userId,
      })
      .select('m.room_id', 'roomId')
      .addSelect('COUNT(*)', 'count')
      .where('m.room_id IN (:...roomIds)', { roomIds })
      .andWhere('m.sender_id <> :userId')
      .andWhere('(me.last_read_message_id IS NULL OR m.id > me.last_read_message_id)')
      .groupBy('m.room_id')
      .getRawMany<{ roomId: number | string; count: number | string }>();
    return new Map(rows.map((r) => [Number(r.roomId), Number(r.count)]));
  }
}
