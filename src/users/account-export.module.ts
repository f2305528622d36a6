import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module';
import { GuidesModule } from '../guides/guides.module';
import { MatchingModule } from '../matching/matching.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ReportsModule } from '../reports/reports.module';
import { StoriesModule } from '../stories/stories.module';
import { AccountExportController } from './account-export.controller';
import { AccountExportService } from './account-export.service';
import { UsersModule } from './users.module';

/**
 * GET /users/me/export: a user's data from every module, so it sits above all of them.
 */
@Module({
  imports: [
    UsersModule,
    GuidesModule,
    StoriesModule,
    MatchingModule,
    ChatModule,
    ReportsModule,
    NotificationsModule,
  ],
  controllers: [AccountExportController],
  providers: [AccountExportService],
})
export class AccountExportModule {}
