import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../common/decorators/current-user.decorator';
import { runInTransaction } from '../../database/transaction';
import type { NotificationSettings } from '../entities/notification-settings.entity';
import type {
  NotificationSettingsDto,
  UpdateNotificationSettingsDto,
} from './dto/notification-settings.dto';
import {
  DEFAULT_SETTINGS,
  NotificationSettingsRepository,
  SettingsColumns,
} from './notification-settings.repository';
import { PUSH_CATEGORIES, type PushCategory } from './push-categories';

const COLUMN_OF_CATEGORY = {
  matching: 'pushMatching',
  chat: 'pushChat',
  comments: 'pushComments',
  reviews: 'pushReviews',
  system: 'pushSystem',
} as const satisfies Record<PushCategory, keyof SettingsColumns>;

/** A time zone's canonical name (`asia/seoul` → `Asia/Seoul`). */
function canonicalZone(zone: string): string {
  return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
}

function toDto(row: Required<SettingsColumns>): NotificationSettingsDto {
  return {
    push: {
      matching: Boolean(row.pushMatching),
      chat: Boolean(row.pushChat),
      comments: Boolean(row.pushComments),
      reviews: Boolean(row.pushReviews),
      system: Boolean(row.pushSystem),
    },
    quietHours:
      row.quietStart !== null && row.quietEnd !== null && row.quietTimeZone !== null
        ? { start: row.quietStart, end: row.quietEnd, timeZone: row.quietTimeZone }
        : null,
  };
}

/** A user's push preferences (docs/api.md, Push and devices): categories on or off, and quiet hours. */
@Injectable()
export class NotificationSettingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: NotificationSettingsRepository,
  ) {}

  /** Mine; the defaults (all on, no quiet hours) until I change something. */
  async get(user: AuthUser): Promise<NotificationSettingsDto> {
    return this.of(user.id);
  }

  async of(userId: number): Promise<NotificationSettingsDto> {
    const row: NotificationSettings | null = await this.settings.find(userId);
    return toDto(row ?? DEFAULT_SETTINGS);
  }

  /** Changes the parts given (single categories, or the quiet hours as a whole) and answers all. */
  async update(
    user: AuthUser,
    dto: UpdateNotificationSettingsDto,
  ): Promise<NotificationSettingsDto> {
    const changes: SettingsColumns = {};
    for (const category of PUSH_CATEGORIES) {
      const on = dto.push?.[category];
      if (on !== undefined) changes[COLUMN_OF_CATEGORY[category]] = on;
    }
    if (dto.quietHours === null) {
      Object.assign(changes, { quietStart: null, quietEnd: null, quietTimeZone: null });
    } else if (dto.quietHours !== undefined) {
      Object.assign(changes, {
        quietStart: dto.quietHours.start,
        quietEnd: dto.quietHours.end,
        quietTimeZone: canonicalZone(dto.quietHours.timeZone),
      });
    }
    if (Object.keys(changes).length > 0) {
      await runInTransaction(this.dataSource, (manager) =>
        this.settings.change(manager, user.id, changes, new Date()),
      );
    }
    return this.of(user.id);
  }

  async removeAllOf(userId: number): Promise<void> {
    await runInTransaction(this.dataSource, (manager) => this.settings.deleteOf(manager, userId));
  }
}
