import { Module } from '@nestjs/common';
import { GuidesModule } from '../guides/guides.module';
import { UsersModule } from '../users/users.module';
import { AdminAuditLogsController } from './admin-audit-logs.controller';
import { AdminGuidesController } from './admin-guides.controller';
import { AdminUsersController } from './admin-users.controller';
import { AuditLogModule } from './audit-log.module';

@Module({
  imports: [UsersModule, GuidesModule, AuditLogModule],
  controllers: [AdminUsersController, AdminGuidesController, AdminAuditLogsController],
})
export class AdminModule {}
