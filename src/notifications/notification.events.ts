/**
 * Emitted (after commit) when a moderator hid or deleted a user's story or comment; the
 * author gets a CONTENT_HIDDEN notification. The moderation module emits it.
 */
export class ContentHiddenEvent {
  static readonly NAME = 'content.hidden';
  constructor(
    /** The author of the hidden content: the one notified. */
    readonly userId: number,
    readonly targetType: 'story' | 'comment',
    readonly targetId: number,
    readonly reason: string | null,
  ) {}
}
