import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StoriesModule } from '../stories/stories.module';
import { UsersModule } from '../users/users.module';
import { Notification } from './entities/notification.entity';
import { NotificationsController } from './notifications.controller';
import { NotificationsListener } from './notifications.listener';
import { NotificationsRetention } from './notifications-retention';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

/**
 * Stored notifications and their routes; the listener turns other modules' domain events
 * into notifications, pushed to the user's sockets through RealtimeService. Read ones are
 * deleted after NOTIFICATION_RETENTION.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Notification]), UsersModule, StoriesModule],
  controllers: [NotificationsController],
  providers: [
    NotificationsService,
    NotificationsRepository,
    NotificationsListener,
    NotificationsRetention,
  ],
  exports: [NotificationsService],
})
export class NotificationsModule {}
