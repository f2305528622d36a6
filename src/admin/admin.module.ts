import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ChatModule } from '../chat/chat.module';
import { GuidesModule } from '../guides/guides.module';
import { MatchingModule } from '../matching/matching.module';
import { ReportsModule } from '../reports/reports.module';
import { StoriesModule } from '../stories/stories.module';
import { UsersModule } from '../users/users.module';
import { AdminCommentsController } from './admin-comments.controller';
import { AdminGuidesController } from './admin-guides.controller';
import { AdminReportsController } from './admin-reports.controller';
import { AdminModerationService } from './admin-moderation.service';
import { AdminStatsController } from './admin-stats.controller';
import { AdminStatsService } from './admin-stats.service';
import { AdminStoriesController } from './admin-stories.controller';
import { AdminUsersController } from './admin-users.controller';

@Module({
  imports: [
    UsersModule,
    GuidesModule,
    StoriesModule,
    MatchingModule,
    ChatModule,
    AuditModule,
    ReportsModule,
  ],
  controllers: [
    AdminUsersController,
    AdminGuidesController,
    AdminStoriesController,
    AdminCommentsController,
    AdminReportsController,
    AdminStatsController,
  ],
  providers: [AdminModerationService, AdminStatsService],
  exports: [AdminModerationService],
})
export class AdminModule {}
