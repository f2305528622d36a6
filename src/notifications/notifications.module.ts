import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StoriesModule } from '../stories/stories.module';
import { UsersModule } from '../users/users.module';
import { Notification } from './entities/notification.entity';
import { NOTIFICATION_PUSH, type NotificationPush } from './notification-push';
import { NotificationsController } from './notifications.controller';
import { NotificationsListener } from './notifications.listener';
import { NotificationsService } from './notifications.service';

@Module({
  imports: [TypeOrmModule.forFeature([Notification]), UsersModule, StoriesModule],
  controllers: [NotificationsController],
  providers: [
    NotificationsService,
    NotificationsListener,
    {
      // until the chat module's RealtimeService lands, stored notifications are not pushed
      provide: NOTIFICATION_PUSH,
      useValue: { toUser: () => undefined } satisfies NotificationPush,
    },
  ],
  exports: [NotificationsService],
})
export class NotificationsModule {}
