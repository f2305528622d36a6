import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StoriesModule } from '../stories/stories.module';
import { User } from '../users/entities/user.entity';
import { UsersModule } from '../users/users.module';
import { ChatRateLimiter } from './chat-rate-limiter';
import { ChatController } from './chat.controller';
import { ChatGateway } from './chat.gateway';
import { ChatService } from './chat.service';
import { ChatMessage } from './entities/chat-message.entity';
import { ChatRoomMember } from './entities/chat-room-member.entity';
import { ChatRoom } from './entities/chat-room.entity';
import { RealtimeService } from './realtime.service';

/**
 * 1:1 chat of accepted matching requests: REST routes, the `/chat` Socket.IO gateway, and
 * the realtime channel other modules push through (`RealtimeService.emitToUser`).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ChatRoom, ChatRoomMember, ChatMessage, User]),
    UsersModule,
    StoriesModule,
  ],
  controllers: [ChatController],
  providers: [ChatService, RealtimeService, ChatRateLimiter, ChatGateway],
  exports: [ChatService, RealtimeService],
})
export class ChatModule {}
