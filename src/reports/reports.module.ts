import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ChatModule } from '../chat/chat.module';
import { ChatMessage } from '../chat/entities/chat-message.entity';
import { Comment } from '../stories/entities/comment.entity';
import { Story } from '../stories/entities/story.entity';
import { StoriesModule } from '../stories/stories.module';
import { User } from '../users/entities/user.entity';
import { UsersModule } from '../users/users.module';
import { Report } from './entities/report.entity';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/**
 * User reports and their moderation (SPEC §9). The admin routes live in the admin module
 * (AdminReportsController) and call the exported ReportsService. Stories, comments, users and
 * messages are read here only to check what may be reported and to show it to admins; every
 * change to them goes through their own module's service.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Report, Comment, ChatMessage, User, Story]),
    StoriesModule,
    UsersModule,
    ChatModule,
    AuditModule,
  ],
  controllers: [ReportsController],
  providers: [ReportsService],
  exports: [ReportsService],
})
export class ReportsModule {}
