import { Injectable, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { MatchingCancelledEvent } from '../matching/matching.events';
import { RealtimeService } from '../realtime/realtime.service';
import { BlocksService } from '../users/blocks.service';
import {
  UserBlockedEvent,
  UserSuspendedEvent,
  UserUnblockedEvent,
  UserWithdrawnEvent,
} from '../users/users.events';
import { UsersService } from '../users/users.service';
import { ChatRepository, type RoomFacts } from './chat.repository';

export function roomNotFound(): DomainException {
  return new DomainException('NOT_FOUND', 'Chat room not found');
}

export function blocked(): DomainException {
  return new DomainException(
    'USER_BLOCKED',
    'One of you blocked the other: this chat is read-only',
  );
}

export function roomClosed(): DomainException {
  return new DomainException(
    'CHAT_ROOM_CLOSED',
    'This chat room is closed: the matching request was cancelled',
  );
}

/** Notice names (RealtimeService.notifyInstances) of what changed. */
const USER_GONE = 'chat.user-gone';
const BLOCK_CHANGED = 'chat.block-changed';
const ROOM_CHANGED = 'chat.room-changed';

/** Entries kept per kind; the oldest goes first beyond this. */
const MAX_ENTRIES = 20_000;
/**
 * How long a user's state is trusted without a notice: a backstop for a notice that never
 * arrived (an instance cut off from Redis while the others still hear each other). Rooms and
 * blocks need none: the store of a message checks them again in its own statement.
 */
const USER_TTL_MS = 30_000;

const pairKey = (a: number, b: number): string => (a < b ? `${a}:${b}` : `${b}:${a}`);

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (map.size >= MAX_ENTRIES && !map.has(key)) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

/**
 * What a chat send is authorized by, kept per instance so that a message in the steady state
 * reads nothing: the sender is active, the room's two members (they never change), whether it
 * is closed, whether a block stands between the members.
 *
 * Whatever changes a fact is told to every instance before the change is answered: the
 * suspension, withdrawal, block, unblock and cancellation events are heard here and sent as
 * notices through RealtimeService (the Redis adapter with several instances), and the change's
 * request waits until every instance dropped its copy. A suspended or withdrawn user's sockets
 * are closed on each instance by the same notice. A read that started before a notice is not
 * kept (its answer may predate the change).
 *
 * The store of a message checks "open, not blocked" once more in its own statement (see
 * ChatMessageWriter), so a change racing with a send is settled by the database.
 *
 * Notices travel over Redis, which does not replay them: while this instance's Redis links
 * are down it keeps nothing and reads every fact afresh, and when they are back it forgets
 * all it kept. A user's state is trusted for USER_TTL_MS at most, for the instance that was
 * cut off without noticing.
 */
@Injectable()
export class ChatAccess implements OnModuleInit {
  private readonly users = new Map<number, { user: AuthUser; until: number }>();
  private readonly rooms = new Map<number, RoomFacts>();
  private readonly blocks = new Map<string, boolean>();
  /** Moves on every notice: a read that saw another value is not kept. */
  private generation = 0;

  constructor(
    private readonly chat: ChatRepository,
    private readonly usersService: UsersService,
    private readonly blocksService: BlocksService,
    private readonly realtime: RealtimeService,
  ) {}

  onModuleInit(): void {
    // notices may have been lost while Redis was away: nothing kept from before is trusted
    this.realtime.onNoticesResumed(() => this.forgetAll());
    this.realtime.onNotice(USER_GONE, (payload) => {
      const { userId } = payload as { userId: number };
      this.generation++;
      this.users.delete(userId);
      this.realtime.disconnectLocalUser(userId);
    });
    this.realtime.onNotice(BLOCK_CHANGED, (payload) => {
      const { a, b } = payload as { a: number; b: number };
      this.generation++;
      this.blocks.delete(pairKey(a, b));
    });
    this.realtime.onNotice(ROOM_CHANGED, (payload) => {
      const { roomId } = payload as { roomId: number };
      this.generation++;
      this.rooms.delete(roomId);
    });
  }

  private forgetAll(): void {
    this.generation++;
    this.users.clear();
    this.rooms.clear();
    this.blocks.clear();
  }

  /**
   * Whether what is kept may be used and kept: only while this instance hears every notice.
   * Otherwise each send reads afresh (as before the cache) until Redis is back.
   */
  private trusted(): boolean {
    return this.realtime.hearsNotices();
  }

  /** The user, when active (else the errors of UsersService.authenticate). */
  async activeUser(userId: number): Promise<AuthUser> {
    const trusted = this.trusted();
    const known = trusted ? this.users.get(userId) : undefined;
    if (known && known.until > Date.now()) return known.user;
    const seen = this.generation;
    const user = await this.usersService.authenticate(userId);
    if (trusted && seen === this.generation) {
      remember(this.users, userId, { user, until: Date.now() + USER_TTL_MS });
    }
    return user;
  }

  /** The room when `userId` is one of its members; 404 for everybody else. */
  async memberRoom(userId: number, roomId: number): Promise<RoomFacts> {
    const trusted = this.trusted();
    let room = trusted ? this.rooms.get(roomId) : undefined;
    if (!room) {
      const seen = this.generation;
      const found = await this.chat.roomFacts(roomId);
      if (!found) throw roomNotFound();
      room = found;
      if (trusted && seen === this.generation) remember(this.rooms, roomId, room);
    }
    if (room.travelerId !== userId && room.guideUserId !== userId) throw roomNotFound();
    return room;
  }

  /** Whether one member of the room blocked the other. */
  async blockedIn(room: RoomFacts): Promise<boolean> {
    const key = pairKey(room.travelerId, room.guideUserId);
    const trusted = this.trusted();
    const known = trusted ? this.blocks.get(key) : undefined;
    if (known !== undefined) return known;
    const seen = this.generation;
    const value = await this.blocksService.existsBetween(room.travelerId, room.guideUserId);
    if (trusted && seen === this.generation) remember(this.blocks, key, value);
    return value;
  }

  /**
   * Why the room refuses messages now, read afresh (and kept): closed, blocked, or null when
   * it takes them. For a store that found the room refusing.
   */
  async refusal(roomId: number): Promise<DomainException | null> {
    this.rooms.delete(roomId);
    const seen = this.generation;
    const room = await this.chat.roomFacts(roomId);
    if (!room) return roomNotFound();
    if (this.trusted() && seen === this.generation) remember(this.rooms, roomId, room);
    if (room.closed) return roomClosed();
    this.blocks.delete(pairKey(room.travelerId, room.guideUserId));
    return (await this.blockedIn(room)) ? blocked() : null;
  }

  @OnEvent(UserSuspendedEvent.NAME, { promisify: true })
  async onUserSuspended(event: UserSuspendedEvent): Promise<void> {
    await this.realtime.notifyInstances(USER_GONE, { userId: event.userId });
  }

  @OnEvent(UserWithdrawnEvent.NAME, { promisify: true })
  async onUserWithdrawn(event: UserWithdrawnEvent): Promise<void> {
    await this.realtime.notifyInstances(USER_GONE, { userId: event.userId });
  }

  @OnEvent(UserBlockedEvent.NAME, { promisify: true })
  async onUserBlocked(event: UserBlockedEvent): Promise<void> {
    await this.realtime.notifyInstances(BLOCK_CHANGED, { a: event.blockerId, b: event.blockedId });
  }

  @OnEvent(UserUnblockedEvent.NAME, { promisify: true })
  async onUserUnblocked(event: UserUnblockedEvent): Promise<void> {
    await this.realtime.notifyInstances(BLOCK_CHANGED, { a: event.blockerId, b: event.blockedId });
  }

  @OnEvent(MatchingCancelledEvent.NAME, { promisify: true })
  async onMatchingCancelled(event: MatchingCancelledEvent): Promise<void> {
    if (event.chatRoomId !== null) {
      await this.realtime.notifyInstances(ROOM_CHANGED, { roomId: event.chatRoomId });
    }
  }
}
