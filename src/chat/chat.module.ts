import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessTokenModule } from '../auth/access-token.module';
import { StoriesModule } from '../stories/stories.module';
import { UsersModule } from '../users/users.module';
import { ChatAccess } from './chat-access';
import { ChatMessageWriter } from './chat-message-writer';
import { ChatRateLimiter } from './chat-rate-limiter';
import { ChatController } from './chat.controller';
import { ChatRepository } from './chat.repository';
import { ChatGateway } from './chat.gateway';
import { ChatService } from './chat.service';
import { ChatMessage } from './entities/chat-message.entity';
import { ChatRoomMember } from './entities/chat-room-member.entity';
import { ChatRoom } from './entities/chat-room.entity';

/**
 * 1:1 chat of accepted matching requests: REST routes and the `/chat` Socket.IO gateway,
 * which attaches its namespace to the shared RealtimeService.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ChatRoom, ChatRoomMember, ChatMessage]),
    UsersModule,
    StoriesModule,
    AccessTokenModule,
  ],
  controllers: [ChatController],
  providers: [
    ChatService,
    ChatRepository,
    ChatAccess,
    ChatMessageWriter,
    ChatRateLimiter,
    ChatGateway,
  ],
  exports: [ChatService],
})
export class ChatModule {}
