import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChatModule } from '../chat/chat.module';
import { StoriesModule } from '../stories/stories.module';
import { UsersModule } from '../users/users.module';
import { Notification } from './entities/notification.entity';
import { NotificationsController } from './notifications.controller';
import { NotificationsListener } from './notifications.listener';
import { NotificationsService } from './notifications.service';

/**
 * Stored notifications and their routes; the listener turns other modules' domain events
 * into notifications, pushed through the chat module's realtime channel.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Notification]), UsersModule, StoriesModule, ChatModule],
  controllers: [NotificationsController],
  providers: [NotificationsService, NotificationsListener],
  exports: [NotificationsService],
})
export class NotificationsModule {}
