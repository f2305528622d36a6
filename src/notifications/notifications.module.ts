import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StoriesModule } from '../stories/stories.module';
import { UsersModule } from '../users/users.module';
import { Device } from './entities/device.entity';
import { NotificationSettings } from './entities/notification-settings.entity';
import { Notification } from './entities/notification.entity';
import { NotificationsController } from './notifications.controller';
import { NotificationsListener } from './notifications.listener';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { DevicesController } from './push/devices.controller';
import { DevicesRepository } from './push/devices.repository';
import { DevicesService } from './push/devices.service';
import { NotificationSettingsRepository } from './push/notification-settings.repository';
import { NotificationSettingsService } from './push/notification-settings.service';

/**
 * Stored notifications and their routes; the listener turns other modules' domain events
 * into notifications, pushed to the user's sockets through RealtimeService. Devices and push
 * settings (push/) live here too.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Notification, Device, NotificationSettings]),
    UsersModule,
    StoriesModule,
  ],
  controllers: [NotificationsController, DevicesController],
  providers: [
    NotificationsService,
    NotificationsRepository,
    NotificationsListener,
    DevicesService,
    DevicesRepository,
    NotificationSettingsService,
    NotificationSettingsRepository,
  ],
  exports: [NotificationsService, DevicesService, NotificationSettingsService],
})
export class NotificationsModule {}
