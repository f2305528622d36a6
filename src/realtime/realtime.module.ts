import { Global, Module } from '@nestjs/common';
import { RealtimeService } from './realtime.service';

/**
 * The socket emitter shared by every module that tells connected clients something (chat
 * messages, notifications, media status). The chat gateway attaches the `/chat` namespace.
 */
@Global()
@Module({
  providers: [RealtimeService],
  exports: [RealtimeService],
})
export class RealtimeModule {}
