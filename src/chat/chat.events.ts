/**
 * Events of the chat module. Emitted after the change committed; other modules react
 * (notifications: push to members who are offline). Each class's NAME is what listeners
 * subscribe to.
 */

/** A text message was stored (a retried send that answered the first message is not one). */
export class ChatMessageSentEvent {
  static readonly NAME = 'chat.message-sent';
  constructor(
    readonly messageId: number,
    readonly roomId: number,
    readonly senderId: number,
    /** The room's members other than the sender. */
    readonly recipientIds: number[],
  ) {}
}
