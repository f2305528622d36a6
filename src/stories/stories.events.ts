/** A story was soft-deleted, by its author or by an admin (`byAdmin`). */
export class StoryDeletedEvent {
  static readonly NAME = 'story.deleted';
  constructor(
    readonly storyId: number,
    readonly authorId: number,
    readonly actorId: number,
    readonly byAdmin: boolean,
  ) {}
}
