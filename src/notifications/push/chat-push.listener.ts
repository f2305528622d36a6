import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ChatMessageSentEvent } from '../../chat/chat.events';
import { RealtimeService } from '../../realtime/realtime.service';
import { PushService } from './push.service';

/** How long to wait for the instances to say whether a member has a socket. */
const PRESENCE_TIMEOUT_MS = 3000;

/**
 * Chat messages to members who are offline (docs/api.md, Push and devices): a member with a socket connected on
 * any instance gets the message there; the others get a push. The emitter does not wait for
 * this listener, so nothing here slows the send down.
 */
@Injectable()
export class ChatPushListener {
  private readonly logger = new Logger(ChatPushListener.name);

  constructor(
    private readonly push: PushService,
    private readonly realtime: RealtimeService,
  ) {}

  @OnEvent(ChatMessageSentEvent.NAME)
  async onMessageSent(e: ChatMessageSentEvent): Promise<void> {
    if (!this.push.enabled) return;
    try {
      await Promise.all(
        e.recipientIds.map(async (userId) => {
          // when the instances cannot tell in time, push: a duplicate beats a lost message
          if (await this.realtime.hasSockets(userId, PRESENCE_TIMEOUT_MS)) return;
          this.push.pushChatMessage(e.messageId, userId);
        }),
      );
    } catch (error) {
      this.logger.error(`chat push of message ${e.messageId} failed: ${(error as Error).message}`);
    }
  }
}
