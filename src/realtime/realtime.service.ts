import { Injectable, Logger } from '@nestjs/common';
import type { Namespace } from 'socket.io';

/** The private channel of one user: every socket of theirs joins it on connect. */
export const userChannel = (userId: number): string => `user:${userId}`;
/** The socket room of a chat room: sockets of members that sent `room:join`. */
export const roomChannel = (roomId: number): string => `room:${roomId}`;

/**
 * Pushes events to connected sockets of the `/chat` namespace. With REDIS_URL set the
 * namespace runs on the Redis adapter, so every call here reaches the sockets of all
 * instances. Before the gateway is up (or in the CLI) the calls do nothing: the data is
 * stored anyway, and clients read it over REST.
 */
@Injectable()
export class RealtimeService {
  private readonly logger = new Logger(RealtimeService.name);
  private namespace: Namespace | null = null;

  /** Called by the gateway once its namespace exists. */
  attach(namespace: Namespace): void {
    this.namespace = namespace;
  }

  detach(): void {
    this.namespace = null;
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
}
