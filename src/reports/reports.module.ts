import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ChatModule } from '../chat/chat.module';
import { StoriesModule } from '../stories/stories.module';
import { UsersModule } from '../users/users.module';
import { Report } from './entities/report.entity';
import { ReportsController } from './reports.controller';
import { ReportsRepository } from './reports.repository';
import { ReportsService } from './reports.service';

/**
 * User reports and their moderation (docs/api.md, Reports and moderation). The admin routes live in the admin module
 * (AdminReportsController) and call the exported ReportsService. What is reported (stories,
 * comments, users, messages) is read and changed only through its own module's service.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Report]),
    StoriesModule,
    UsersModule,
    ChatModule,
    AuditModule,
  ],
  controllers: [ReportsController],
  providers: [ReportsService, ReportsRepository],
  exports: [ReportsService],
})
export class ReportsModule {}
