/**
 * Events of the stories module. Emitted after the change committed; other modules react
 * (notifications). Each class's NAME is what listeners subscribe to.
 */

/** A comment (or a reply) was stored. */
export class CommentCreatedEvent {
  static readonly NAME = 'stories.comment-created';
  constructor(
    readonly commentId: number,
    readonly storyId: number,
    readonly authorId: number,
    readonly storyOwnerId: number,
    /** Set for a reply: the comment it answers, and that comment's author. */
    readonly parentId: number | null,
    readonly parentAuthorId: number | null,
  ) {}
}

/**
 * A moderator hid or deleted a user's story or comment (through StoriesService.hide,
 * removeInTransaction or CommentsService.softDelete); the author gets CONTENT_HIDDEN. The
 * caller whose transaction made the change emits it once that transaction committed.
 */
export class ContentHiddenEvent {
  static readonly NAME = 'stories.content-hidden';
  constructor(
    /** The author of the hidden content: the one notified. */
    readonly userId: number,
    readonly targetType: 'story' | 'comment',
    readonly targetId: number,
    readonly reason: string | null,
  ) {}
}
