import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import {
  execute,
  fromSqlDateTimeOrNull,
  multiRowInsertReturning,
  selectRows,
  toSqlDateTime,
} from '../database/statements';
import { blockBetweenColumnsSql } from '../users/blocks.sql';
import { ChatMessage } from './entities/chat-message.entity';
import { ChatRoomMember } from './entities/chat-room-member.entity';
import { ChatRoom } from './entities/chat-room.entity';

/** What authorizes a send: a room's members (they never change) and whether it is closed. */
export interface RoomFacts {
  id: number;
  matchingRequestId: number;
  travelerId: number;
  guideUserId: number;
  closed: boolean;
}

/** A text message to store. */
export interface NewMessage {
  roomId: number;
  senderId: number;
  content: string;
  clientMessageId: string | null;
  createdAt: Date;
}

const INSERT_MESSAGE =
  'INSERT INTO chat_messages (room_id, sender_id, type, content, client_message_id, created_at) ' +
  "VALUES (?, ?, 'text', ?, ?, ?)";

/** The room is open and no block stands between its members. */
const ROOM_TAKES_MESSAGES =
  'closed_at IS NULL AND NOT ' +
  blockBetweenColumnsSql('chat_rooms.traveler_id', 'chat_rooms.guide_user_id');

const messageParams = (m: NewMessage): unknown[] => [
  m.roomId,
  m.senderId,
  m.content,
  m.clientMessageId,
  toSqlDateTime(m.createdAt),
];

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

  async roomFacts(id: number): Promise<RoomFacts | null> {
    const [row] = await selectRows<{
      id: number;
      matchingRequestId: number;
      travelerId: number;
      guideUserId: number;
      closedAt: Date | string | null;
    }>(
      this.manager,
      'SELECT id, matching_request_id AS matchingRequestId, traveler_id AS travelerId, ' +
        'guide_user_id AS guideUserId, closed_at AS closedAt FROM chat_rooms WHERE id = ?',
      [id],
    );
    if (!row) return null;
    return {
      id: Number(row.id),
      matchingRequestId: Number(row.matchingRequestId),
      travelerId: Number(row.travelerId),
      guideUserId: Number(row.guideUserId),
      closed: fromSqlDateTimeOrNull(row.closedAt) !== null,
    };
  }

  /**
   * Stores text messages in the order given and returns their ids in that order (ascending).
   * MariaDB: one multi-row INSERT … RETURNING; SQLite: one prepared INSERT per row (in
   * process, cheaper than parsing a new statement per batch size); MySQL: one INSERT per row
   * (a multi-row INSERT's ids need not be consecutive there).
   */
  async insertMessages(manager: EntityManager, messages: NewMessage[]): Promise<number[]> {
    if (messages.length > 1 && (await multiRowInsertReturning(manager))) {
      const rows = await selectRows<{ id: number }>(
        manager,
        'INSERT INTO chat_messages (room_id, sender_id, type, content, client_message_id, ' +
          `created_at) VALUES ${messages.map(() => "(?, ?, 'text', ?, ?, ?)").join(', ')} ` +
          'RETURNING id',
        messages.flatMap(messageParams),
      );
      return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    }
    const ids: number[] = [];
    for (const m of messages)
      ids.push((await execute(manager, INSERT_MESSAGE, messageParams(m))).insertId);
    return ids;
  }

  /**
   * Sets each room's newest message (and its activity time) if the room still takes
   * messages: open, and no block between its members. The number of rooms that did: fewer
   * than given means one refused, and the caller rolls back.
   */
  async recordLastMessages(
    manager: EntityManager,
    at: Date,
    lastByRoom: Map<number, number>,
  ): Promise<number> {
    const when = toSqlDateTime(at);
    if (manager.connection.options.type === 'better-sqlite3' || lastByRoom.size === 1) {
      let updated = 0;
      for (const [roomId, messageId] of lastByRoom) {
        const result = await execute(
          manager,
          'UPDATE chat_rooms SET updated_at = ?, last_message_id = ?, last_message_at = ? ' +
            `WHERE id = ? AND ${ROOM_TAKES_MESSAGES}`,
          [when, messageId, when, roomId],
        );
        updated += result.affected;
      }
      return updated;
    }
    // the rooms as a derived table driving the join: each room is found by its primary key
    // (an IN list of many ids makes MariaDB scan, and lock, every room)
    const rooms = [...lastByRoom.keys()].map(() => 'SELECT ? AS id, ? AS last').join(' UNION ALL ');
    const result = await execute(
      manager,
      `UPDATE (${rooms}) v STRAIGHT_JOIN chat_rooms ON chat_rooms.id = v.id ` +
        'SET chat_rooms.updated_at = ?, chat_rooms.last_message_at = ?, ' +
        `chat_rooms.last_message_id = v.last WHERE chat_rooms.${ROOM_TAKES_MESSAGES}`,
      [...[...lastByRoom].flat(), when, when],
    );
    return result.affected;
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
