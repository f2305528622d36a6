import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { ChatMessage } from './entities/chat-message.entity';
import { ChatRoomMember } from './entities/chat-room-member.entity';
import { ChatRoom } from './entities/chat-room.entity';

/** The chat tables: chat_rooms, chat_room_members, chat_messages. */
@Injectable()
export class ChatRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get manager(): EntityManager {
    return this.dataSource.manager;
  }

  // ---- rooms ----------------------------------------------------------------------------------

  findRoom(id: number): Promise<ChatRoom | null> {
    return this.manager.findOneBy(ChatRoom, { id });
  }

  /** The room of a matching request with its two members, unless it exists already. */
  async openRoom(
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
      ...input,
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

  async closeRoomOfRequest(manager: EntityManager, matchingRequestId: number): Promise<void> {
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

  /** A page (plus one row) of the user's rooms, most recent activity first. */
  roomPage(userId: number, limit: number, cursor?: string): Promise<ChatRoom[]> {
    const qb = this.manager
      .createQueryBuilder(ChatRoom, 'r')
      .innerJoin(ChatRoomMember, 'me', 'me.room_id = r.id AND me.user_id = :userId', { userId });
    if (cursor) {
      const [at, id] = decodeCursor(cursor, ['date', 'id']);
      qb.andWhere('(r.updated_at < :at OR (r.updated_at = :at AND r.id < :id))', {
        at: new Date(at as string),
        id,
      });
    }
    return qb
      .orderBy('r.updated_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .limit(limit + 1)
      .getMany();
  }

  /**
   * Moves the room's `updatedAt` if it is still open, which also takes its row lock first:
   * a cancellation cannot slip in, and `last_message_id` is written in id order. False for a
   * closed room.
   */
  async touchOpenRoom(manager: EntityManager, roomId: number, now: Date): Promise<boolean> {
    const open = await manager
      .createQueryBuilder()
      .update(ChatRoom)
      .set({ updatedAt: now })
      .where('id = :roomId AND closed_at IS NULL', { roomId })
      .execute();
    return (open.affected ?? 0) > 0;
  }

  async setLastMessage(
    manager: EntityManager,
    roomId: number,
    messageId: number,
    at: Date,
  ): Promise<void> {
    await manager.update(ChatRoom, { id: roomId }, { lastMessageId: messageId, lastMessageAt: at });
  }

  // ---- messages ---------------------------------------------------------------------------------

  findMessage(id: number): Promise<ChatMessage | null> {
    return this.manager.findOneBy(ChatMessage, { id });
  }

  findMessages(ids: number[]): Promise<ChatMessage[]> {
    return ids.length === 0
      ? Promise.resolve([])
      : this.manager.findBy(ChatMessage, { id: In(ids) });
  }

  findMessageInRoom(id: number, roomId: number): Promise<ChatMessage | null> {
    return this.manager.findOne(ChatMessage, { select: { id: true }, where: { id, roomId } });
  }

  findByClientId(
    roomId: number,
    senderId: number,
    clientMessageId: string,
  ): Promise<ChatMessage | null> {
    return this.manager.findOneBy(ChatMessage, { roomId, senderId, clientMessageId });
  }

  async insertMessage(
    manager: EntityManager,
    fields: Pick<
      ChatMessage,
      'roomId' | 'senderId' | 'type' | 'content' | 'clientMessageId' | 'createdAt'
    >,
  ): Promise<number> {
    const inserted = await manager.insert(ChatMessage, fields);
    return Number((inserted.identifiers[0] as { id: number }).id);
  }

  /** A page (plus one row) of a room's messages, newest first (keyset on the id). */
  messagePage(roomId: number, limit: number, cursor?: string): Promise<ChatMessage[]> {
    const qb = this.manager
      .createQueryBuilder(ChatMessage, 'm')
      .where('m.room_id = :roomId', { roomId });
    if (cursor) {
      const [id] = decodeCursor(cursor, ['id']);
      qb.andWhere('m.id < :before', { before: id });
    }
    return qb
      .orderBy('m.id', 'DESC')
      .limit(limit + 1)
      .getMany();
  }

  /** Messages the user sent after `afterId`, in id order. */
  sentAfter(senderId: number, afterId: number, limit: number): Promise<ChatMessage[]> {
    return this.manager
      .createQueryBuilder(ChatMessage, 'm')
      .where('m.sender_id = :senderId AND m.id > :afterId', { senderId, afterId })
      .orderBy('m.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  countMessagesSince(since: Date): Promise<number> {
    return this.manager
      .createQueryBuilder(ChatMessage, 'm')
      .where('m.created_at >= :since', { since })
      .getCount();
  }

  // ---- read positions ---------------------------------------------------------------------------

  /** Moves a member's read position forward to `messageId`; false when it was there already. */
  async moveReadPosition(
    manager: EntityManager,
    roomId: number,
    userId: number,
    messageId: number,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(ChatRoomMember)
      .set({ lastReadMessageId: messageId })
      .where('room_id = :roomId AND user_id = :userId', { roomId, userId })
      .andWhere('(last_read_message_id IS NULL OR last_read_message_id < :messageId)', {
        messageId,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  findMember(roomId: number, userId: number): Promise<ChatRoomMember | null> {
    return this.manager.findOneBy(ChatRoomMember, { roomId, userId });
  }

  /**
   * Per room: messages from someone else (system messages have no sender and do not count)
   * newer than the user's read position. One grouped query for all rooms.
   */
  async unreadCounts(userId: number, roomIds: number[]): Promise<Map<number, number>> {
    if (roomIds.length === 0) return new Map();
    const rows = await this.manager
      .createQueryBuilder(ChatMessage, 'm')
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
