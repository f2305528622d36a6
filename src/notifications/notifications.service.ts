import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RealtimeService } from '../realtime/realtime.service';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { BlocksService } from '../users/blocks.service';
import { DomainException } from '../common/errors/domain.exception';
import { Page, toPage } from '../common/pagination/cursor';
import { byPages } from '../common/streaming/json-document';
import { runInTransaction } from '../database/transaction';
import { ListNotificationsQueryDto, NotificationDto } from './dto/notification.dto';
import type { Notification, NotificationData } from './entities/notification.entity';
import { NotificationsRepository } from './notifications.repository';
import type { NotificationType } from './notification-types';
import { PushService } from './push/push.service';

/** The socket event (namespace `/chat`, the user's channel) that carries a new notification. */
export const NOTIFICATION_NEW_EVENT = 'notification:new';

const MAX_TITLE = 100;
const MAX_BODY = 1000;

/** At most `max` characters (code points, as MySQL counts them), so no insert fails on length. */
function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function notFound(): DomainException {
  return new DomainException('NOT_FOUND', 'Notification not found');
}

/**
 * A user's notifications: stored first, then pushed to their sockets (`notification:new`).
 * Every read and change is limited to the caller's own rows; someone else's id is a 404.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notifications: NotificationsRepository,
    private readonly realtime: RealtimeService,
    private readonly blocks: BlocksService,
    private readonly push: PushService,
  ) {}

  /**
   * Stores a notification for `userId`, pushes it to the user's channel and queues its push
   * to the user's devices (FCM, when on and the category is on). Both pushes are best
   * effort: the row is what counts, a client that missed the push finds it in the list.
   * `fromUserId` is whose action it tells of: nothing is created when a block stands between
   * the two (docs/api.md, Blocking and account rights); null for admins' and the service's own doings.
   */
  async notify(
    userId: number,
    type: NotificationType,
    title: string,
    body: string,
    data: NotificationData,
    fromUserId: number | null = null,
  ): Promise<NotificationDto | null> {
    if (fromUserId !== null && (await this.blocks.existsBetween(userId, fromUserId))) return null;
    // through the transaction queue: on SQLite a bare insert would otherwise join (and could
    // be rolled back with) another request's open transaction on the shared connection
    const id = await runInTransaction(this.dataSource, (manager) =>
      this.notifications.insert(manager, {
        userId,
        type,
        title: clip(title, MAX_TITLE),
        body: clip(body, MAX_BODY),
        data,
      }),
    );
    // read back, so the push carries exactly what the list will show (MySQL rounds datetimes)
    const dto = NotificationDto.from((await this.notifications.findById(id)) as Notification);
    try {
      this.realtime.emitToUser(userId, NOTIFICATION_NEW_EVENT, dto);
    } catch (error) {
      this.logger.warn(`push of notification ${id} failed: ${(error as Error).message}`);
    }
    // to the user's phones (FCM) as a job: not awaited, nothing remote is waited for here
    this.push.pushNotification(id);
    return dto;
  }

  /** Mine, newest first; keyset paging on the id, stable while new ones arrive. */
  async list(user: AuthUser, query: ListNotificationsQueryDto): Promise<Page<NotificationDto>> {
    const rows = await this.notifications.page(
      user.id,
      query.unreadOnly === true,
      query.limit,
      query.cursor,
    );
    return toPage(rows, query.limit, (n) => [n.id], NotificationDto.from);
  }

  /** All of the user's notifications, for their data export (docs/api.md, Blocking and account rights), oldest first. */
  async *exportOf(userId: number): AsyncGenerator<NotificationDto> {
    for await (const n of byPages((after) => this.notifications.ofUserAfter(userId, after, 500))) {
      yield NotificationDto.from(n);
    }
  }

  async unreadCount(user: AuthUser): Promise<number> {
    return this.notifications.countUnread(user.id);
  }

  /**
   * Marks one of mine read. Idempotent: the conditional update sets `readAt` once, later calls
   * change nothing. Not mine, or no such id → 404.
   */
  async markRead(user: AuthUser, id: number): Promise<void> {
    const changed = await runInTransaction(this.dataSource, (manager) =>
      this.notifications.markRead(manager, user.id, id),
    );
    if (changed > 0) return;
    if (!(await this.notifications.existsForUser(id, user.id))) throw notFound();
  }

  /** Marks every unread one of mine read; those read before keep their `readAt`. */
  async markAllRead(user: AuthUser): Promise<void> {
    await runInTransaction(this.dataSource, (manager) =>
      this.notifications.markRead(manager, user.id),
    );
  }

  /** A withdrawn user's notifications go with their personal data. */
  async removeAllOf(userId: number): Promise<void> {
    await runInTransaction(this.dataSource, (manager) =>
      this.notifications.deleteAllOf(manager, userId),
    );
  }
}
