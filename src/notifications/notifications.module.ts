import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChatModule } from '../chat/chat.module';
import { StoriesModule } from '../stories/stories.module';
import { UsersModule } from '../users/users.module';
import { Device } from './entities/device.entity';
import { NotificationSettings } from './entities/notification-settings.entity';
import { Notification } from './entities/notification.entity';
import { NotificationsController } from './notifications.controller';
import { NotificationsListener } from './notifications.listener';
import { NotificationsRetention } from './notifications-retention';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { ChatPushListener } from './push/chat-push.listener';
import { DevicesController } from './push/devices.controller';
import { DevicesRepository } from './push/devices.repository';
import { DevicesService } from './push/devices.service';
import { FcmClient } from './push/fcm.client';
import { NotificationSettingsRepository } from './push/notification-settings.repository';
import { NotificationSettingsService } from './push/notification-settings.service';
import { PushService } from './push/push.service';

/**
 * Stored notifications and their routes; the listener turns other modules' domain events
 * into notifications, pushed to the user's sockets through RealtimeService. Devices, push
 * settings and push delivery through FCM (push/) live here too: a push is a notification
 * (or a chat message) on its way to a phone. Read notifications are deleted after
 * NOTIFICATION_RETENTION.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Notification, Device, NotificationSettings]),
    UsersModule,
    StoriesModule,
    ChatModule,
  ],
  controllers: [NotificationsController, DevicesController],
  providers: [
    NotificationsService,
    NotificationsRepository,
    NotificationsListener,
    NotificationsRetention,
    DevicesService,
    DevicesRepository,
    NotificationSettingsService,
    NotificationSettingsRepository,
    FcmClient,
    PushService,
    ChatPushListener,
  ],
  exports: [NotificationsService, DevicesService, NotificationSettingsService],
})
export class NotificationsModule {}
