import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isDependencyUnavailable } from '../database/dependency-errors';
import { isUniqueViolation } from '../database/sql';
import { runInTransaction } from '../database/transaction';
import { ChatAccess } from './chat-access';
import { ChatRepository } from './chat.repository';
import { ChatMessageDto } from './dto/chat.dto';

/** A text message to store, from a member allowed to send it (ChatAccess). */
export interface MessageToWrite {
  roomId: number;
  senderId: number;
  content: string;
  clientMessageId: string | null;
}

/** What a send did: `created` is false when a retry answered the message stored first. */
export interface WrittenMessage {
  message: ChatMessageDto;
  created: boolean;
}

interface Pending {
  input: MessageToWrite;
  resolve: (written: WrittenMessage) => void;
  reject: (error: unknown) => void;
  /** Sends of the same clientMessageId in the same batch: retries, answered with this one. */
  retries?: Pending[];
}

/** Messages per transaction at most (6 parameters each, far below the databases' limits). */
const MAX_BATCH = 500;
/** Transactions of this instance at once (MySQL/MariaDB; their commits overlap). */
const MAX_IN_FLIGHT = 3;
/** Rounds of a batch after refusals and retries found in it. */
const MAX_ROUNDS = 5;

/** A room of the batch refused (closed or blocked since its facts were read): roll back. */
class RoomRefused extends Error {}

const retryKey = (m: MessageToWrite): string | null =>
  m.clientMessageId === null ? null : `${m.roomId}:${m.senderId}:${m.clientMessageId}`;

function succeed(p: Pending, written: WrittenMessage): void {
  p.resolve(written);
  for (const retry of p.retries ?? []) retry.resolve({ message: written.message, created: false });
}

function fail(p: Pending, error: unknown): void {
  p.reject(error);
  for (const retry of p.retries ?? []) retry.reject(error);
}

/**
 * Group commit of chat messages. Sends wait in a queue; a transaction takes all that are
 * waiting (those that arrived while the previous ones committed) and stores them
 * with one INSERT (one per row on SQLite) and one UPDATE of their rooms' last message, which
 * also checks again that each room is open and unblocked. Every sender is answered after
 * that commit, with the stored id and time.
 *
 * - A failure of the transaction rolls the whole batch back. The database being away fails
 *   every send of the batch; any other failure has each message written again on its own,
 *   so only the senders of what fails get the error.
 * - A room that refuses (closed, blocked) rolls the batch back: its sends get the reason,
 *   the others are written again.
 * - Retries (same room, sender and clientMessageId): within a batch the later ones answer
 *   the first; against stored rows the unique index refuses the batch, the stored messages
 *   answer those sends, the others are written again.
 */
@Injectable()
export class ChatMessageWriter {
  private readonly logger = new Logger(ChatMessageWriter.name);
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  /** Rooms with messages in a transaction now: their next messages wait for it. */
  private readonly busyRooms = new Set<number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly chat: ChatRepository,
    private readonly access: ChatAccess,
  ) {}

  /** SQLite runs one transaction at a time anyway; a server overlaps a few commits. */
  private get maxInFlight(): number {
    return this.dataSource.options.type === 'better-sqlite3' ? 1 : MAX_IN_FLIGHT;
  }

  write(input: MessageToWrite): Promise<WrittenMessage> {
    return new Promise<WrittenMessage>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.scheduled && this.inFlight < this.maxInFlight) {
        this.scheduled = true;
        // the sends of this turn of the event loop join the same batch
        setImmediate(() => {
          this.scheduled = false;
          this.startBatches();
        });
      }
    });
  }

  /**
   * Starts transactions for the waiting messages, as many as allowed. A batch takes the
   * waiting messages in order, except those of rooms in a transaction now (and every later
   * one of such a room): the messages of one room are stored, and get their ids, in order,
   * and two transactions of this instance never lock the same room.
   */
  private startBatches(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch: Pending[] = [];
      const waiting: Pending[] = [];
      const deferred = new Set<number>();
      for (const p of this.queue) {
        const roomId = p.input.roomId;
        if (this.busyRooms.has(roomId) || deferred.has(roomId) || batch.length >= MAX_BATCH) {
          deferred.add(roomId);
          waiting.push(p);
        } else batch.push(p);
      }
      if (batch.length === 0) return;
      this.queue = waiting;
      const rooms = new Set(batch.map((p) => p.input.roomId));
      for (const roomId of rooms) this.busyRooms.add(roomId);
      this.inFlight++;
      void this.writeBatch(batch).finally(() => {
        this.inFlight--;
        for (const roomId of rooms) this.busyRooms.delete(roomId);
        this.startBatches();
      });
    }
  }

  /** Stores one batch and answers every send of it; never throws. */
  private async writeBatch(batch: Pending[]): Promise<void> {
    let todo: Pending[] = [];
    const firstByKey = new Map<string, Pending>();
    for (const p of batch) {
      const key = retryKey(p.input);
      const first = key === null ? undefined : firstByKey.get(key);
      if (first) {
        (first.retries ??= []).push(p);
        continue;
      }
      if (key !== null) firstByKey.set(key, p);
      todo.push(p);
    }
    try {
      for (let round = 0; todo.length > 0; round++) {
        if (round >= MAX_ROUNDS) throw new Error('Chat messages not stored after several rounds');
        const createdAt = new Date();
        try {
          const ids = await this.store(todo, createdAt);
          todo.forEach((p, i) =>
            succeed(p, { message: this.dto(p.input, ids[i], createdAt), created: true }),
          );
          return;
        } catch (error) {
          if (error instanceof RoomRefused) todo = await this.dropRefused(todo);
          else if (isUniqueViolation(error)) todo = await this.answerRetries(todo, error);
          else if (todo.length > 1 && !isDependencyUnavailable(error)) {
            // something in one message (not the database being away): each on its own, so
            // that only the senders of what fails are told so
            for (const p of todo) await this.writeBatch([p]);
            return;
          } else throw error;
        }
      }
    } catch (error) {
      for (const p of todo) fail(p, error);
    }
  }

  /** One transaction: the messages, then their rooms; their ids in order. */
  private store(todo: Pending[], createdAt: Date): Promise<number[]> {
    return runInTransaction(this.dataSource, async (manager) => {
      const ids = await this.chat.insertMessages(
        manager,
        todo.map((p) => ({ ...p.input, createdAt })),
      );
      const lastByRoom = new Map<number, number>();
      todo.forEach((p, i) => lastByRoom.set(p.input.roomId, ids[i]));
      const recorded = await this.chat.recordLastMessages(manager, createdAt, lastByRoom);
      if (recorded < lastByRoom.size) throw new RoomRefused();
      return ids;
    });
  }

  /** Answers the sends of rooms that refuse now; the others remain. */
  private async dropRefused(todo: Pending[]): Promise<Pending[]> {
    const reasons = new Map<number, Awaited<ReturnType<ChatAccess['refusal']>>>();
    for (const roomId of new Set(todo.map((p) => p.input.roomId))) {
      reasons.set(roomId, await this.access.refusal(roomId));
    }
    return todo.filter((p) => {
      const reason = reasons.get(p.input.roomId);
      if (reason) fail(p, reason);
      return !reason;
    });
  }

  /** Answers the sends whose clientMessageId is stored already; the others remain. */
  private async answerRetries(todo: Pending[], violation: unknown): Promise<Pending[]> {
    const rest: Pending[] = [];
    for (const p of todo) {
      const { roomId, senderId, clientMessageId } = p.input;
      const first =
        clientMessageId === null
          ? null
          : await this.chat.findByClientId(roomId, senderId, clientMessageId);
      if (first) succeed(p, { message: ChatMessageDto.from(first), created: false });
      else rest.push(p);
    }
    // the index refused something no lookup finds: give up rather than loop
    if (rest.length === todo.length) throw violation;
    this.logger.debug(`${todo.length - rest.length} retried message(s) answered from storage`);
    return rest;
  }

  private dto(input: MessageToWrite, id: number, createdAt: Date): ChatMessageDto {
    return {
      id,
      roomId: input.roomId,
      senderId: input.senderId,
      type: 'text',
      content: input.content,
      clientMessageId: input.clientMessageId,
      createdAt: createdAt.toISOString(),
    };
  }
}
