import { Module } from '@nestjs/common';
import { GuidesModule } from '../guides/guides.module';
import { AccountService } from './account.service';
import { UsersController } from './users.controller';
import { UsersModule } from './users.module';

/**
 * The account routes (`/users/me`, `/users/:id`), composed of the users and guides modules.
 * UsersModule below holds the users table and its rules; this module sits above guides.
 */
@Module({
  imports: [UsersModule, GuidesModule],
  controllers: [UsersController],
  providers: [AccountService],
  exports: [AccountService],
})
export class AccountModule {}
