import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { Notification, NotificationData } from './entities/notification.entity';
import type { NotificationType } from './notification-types';

/** The notifications table. */
@Injectable()
export class NotificationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    fields: {
      userId: number;
      type: NotificationType;
      title: string;
      body: string;
      data: NotificationData;
    },
  ): Promise<number> {
    const inserted = await manager.insert(Notification, {
      ...fields,
      readAt: null,
      // set here, not by the column default: SQLite's default has whole seconds only
      createdAt: new Date(),
    });
    return Number((inserted.identifiers[0] as { id: number }).id);
  }

  findById(id: number): Promise<Notification | null> {
    return this.dataSource.manager.findOneBy(Notification, { id });
  }

  existsForUser(id: number, userId: number): Promise<boolean> {
    return this.dataSource.manager.existsBy(Notification, { id, userId });
  }

  /** A page (plus one row) of the user's notifications, newest first (keyset on the id). */
  page(
    userId: number,
    unreadOnly: boolean,
    limit: number,
    cursor?: string,
  ): Promise<Notification[]> {
    const qb = this.dataSource.manager
      .createQueryBuilder(Notification, 'n')
      .where('n.user_id = :userId', { userId });
    if (unreadOnly) qb.andWhere('n.read_at IS NULL');
    if (cursor) {
      const [id] = decodeCursor(cursor, ['id']);
      qb.andWhere('n.id < :cursorId', { cursorId: id });
    }
    return qb
      .orderBy('n.id', 'DESC')
      .limit(limit + 1)
      .getMany();
  }

  /** The user's notifications after `afterId`, in id order. */
  ofUserAfter(userId: number, afterId: number, limit: number): Promise<Notification[]> {
    return this.dataSource.manager
      .createQueryBuilder(Notification, 'n')
      .where('n.user_id = :userId AND n.id > :afterId', { userId, afterId })
      .orderBy('n.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  countUnread(userId: number): Promise<number> {
    return this.dataSource.manager
      .createQueryBuilder(Notification, 'n')
      .where('n.user_id = :userId AND n.read_at IS NULL', { userId })
      .getCount();
  }

  /** Sets `readAt` on the user's unread ones (all, or the one with `id`); how many changed. */
  async markRead(manager: EntityManager, userId: number, id?: number): Promise<number> {
    const qb = manager
      .createQueryBuilder()
      .update(Notification)
      .set({ readAt: new Date() })
      .where('user_id = :userId AND read_at IS NULL', { userId });
    if (id !== undefined) qb.andWhere('id = :id', { id });
    const result = await qb.updateEntity(false).execute();
    return result.affected ?? 0;
  }

  /**
   * Deletes up to `limit` read notifications made before `before`; how many went. Unread
   * ones stay whatever their age.
   */
  async deleteReadBefore(before: Date, limit: number): Promise<number> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(Notification, 'n')
      .select('n.id', 'id')
      .where('n.created_at < :before AND n.read_at IS NOT NULL', { before })
      .orderBy('n.created_at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: number }>();
    if (rows.length === 0) return 0;
    const result = await this.dataSource.manager
      .createQueryBuilder()
      .delete()
      .from(Notification)
      .where('id IN (:...ids) AND read_at IS NOT NULL', { ids: rows.map((r) => Number(r.id)) })
      .execute();
    return result.affected ?? 0;
  }

  async deleteAllOf(manager: EntityManager, userId: number): Promise<void> {
    await manager.delete(Notification, { userId });
  }
}
