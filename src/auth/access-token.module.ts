import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { AccessTokenGuard } from './access-token.guard';
import { AccessTokenService } from './access-token.service';

/**
 * Access token verification on its own (no Kakao, no sessions), for the global HTTP guard
 * and the chat gateway's handshake.
 */
@Module({
  imports: [UsersModule],
  providers: [AccessTokenService, AccessTokenGuard],
  exports: [AccessTokenService, AccessTokenGuard],
})
export class AccessTokenModule {}
