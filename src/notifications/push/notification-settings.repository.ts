import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { NotificationSettings } from '../entities/notification-settings.entity';

/** The columns a settings change may set. */
export type SettingsColumns = Partial<
  Pick<
    NotificationSettings,
    | 'pushMatching'
    | 'pushChat'
    | 'pushComments'
    | 'pushReviews'
    | 'pushSystem'
    | 'quietStart'
    | 'quietEnd'
    | 'quietTimeZone'
  >
>;

const COLUMN_OF: Record<keyof SettingsColumns, string> = {
  pushMatching: 'push_matching',
  pushChat: 'push_chat',
  pushComments: 'push_comments',
  pushReviews: 'push_reviews',
  pushSystem: 'push_system',
  quietStart: 'quiet_start',
  quietEnd: 'quiet_end',
  quietTimeZone: 'quiet_time_zone',
};

/** The defaults a user without a row has (docs/api.md, Push and devices). */
export const DEFAULT_SETTINGS: Required<SettingsColumns> = {
  pushMatching: true,
  pushChat: true,
  pushComments: true,
  pushReviews: true,
  pushSystem: true,
  quietStart: null,
  quietEnd: null,
  quietTimeZone: null,
};

/** The notification_settings table: one row per user who changed anything. */
@Injectable()
export class NotificationSettingsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  find(userId: number): Promise<NotificationSettings | null> {
    return this.dataSource.manager.findOneBy(NotificationSettings, { userId });
  }

  /**
   * Sets only the given columns, in one statement: the row is created with the defaults for
   * the rest, or the given columns are overwritten, so two changes of different parts at
   * once both hold.
   */
  async change(
    manager: EntityManager,
    userId: number,
    changes: SettingsColumns,
    now: Date,
  ): Promise<void> {
    const given = (Object.keys(changes) as (keyof SettingsColumns)[]).filter(
      (key) => changes[key] !== undefined,
    );
    await manager
      .createQueryBuilder()
      .insert()
      .into(NotificationSettings)
      .values({ userId, ...DEFAULT_SETTINGS, ...changes, updatedAt: now })
      .orUpdate([...given.map((key) => COLUMN_OF[key]), 'updated_at'], ['user_id'])
      .updateEntity(false)
      .execute();
  }

  async deleteOf(manager: EntityManager, userId: number): Promise<void> {
    await manager.delete(NotificationSettings, { userId });
  }
}
