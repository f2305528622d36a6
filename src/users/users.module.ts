import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BlocksRepository } from './blocks.repository';
import { BlocksService } from './blocks.service';
import { Block } from './entities/block.entity';
import { User } from './entities/user.entity';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/**
 * The users table: accounts, their roles and status (sign-in upserts, suspension,
 * withdrawal). Its routes live in AccountModule, which also shows the guide profile.
 */
@Module({
  imports: [TypeOrmModule.forFeature([User, Block])],
  providers: [UsersService, UsersRepository, BlocksService, BlocksRepository],
  exports: [UsersService, BlocksService],
})
export class UsersModule {}
