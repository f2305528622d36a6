import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { Page, toPage } from '../common/pagination/cursor';
import type { User } from '../users/entities/user.entity';
import {
  CommentDto,
  type CreateCommentDto,
  type ListCommentsQueryDto,
  type UpdateCommentDto,
} from './dto/comment.dto';
import { Comment } from './entities/comment.entity';
import type { Story } from './entities/story.entity';
import { AuditLogService } from '../audit/audit-log.service';
import { byPages } from '../common/streaming/json-document';
import { runInTransaction } from '../database/transaction';
import { blockViewerId } from '../users/blocks.sql';
import { BlocksService } from '../users/blocks.service';
import { CommentsRepository } from './comments.repository';
import { CommentCreatedEvent } from './stories.events';
import { StoriesRepository } from './stories.repository';
import { StoriesService } from './stories.service';

function invalidParent(): DomainException {
  const message = 'parentId must be a top-level comment of this story that is not deleted';
  return new DomainException('VALIDATION_FAILED', message, [
    { field: 'parentId', errors: [message] },
  ]);
}

function notFound(): DomainException {
  return new DomainException('NOT_FOUND', 'Comment not found');
}

/**
 * Comments and one level of replies. A story's `commentCount` counts its comments and replies
 * that are not deleted, a comment's `replyCount` its replies that are not deleted; both move
 * by `x = x ± 1` in the transaction that adds or deletes the row, so they never drift.
 */
@Injectable()
export class CommentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly comments: CommentsRepository,
    private readonly storyRows: StoriesRepository,
    private readonly stories: StoriesService,
    private readonly events: EventEmitter2,
    private readonly audit: AuditLogService,
    private readonly blocks: BlocksService,
  ) {}

  /**
   * Top-level comments of a story, or with `parentId` the replies to one of them; oldest
   * first. Keyset paging on the id (ids grow with creation time). Authors come in the same
   * query (a join).
   */
  async list(
    viewer: AuthUser | undefined,
    storyId: number,
    query: ListCommentsQueryDto,
  ): Promise<Page<CommentDto>> {
    await this.stories.requireVisible(viewer, storyId);
    let parentId: number | null = null;
    if (query.parentId !== undefined) {
      const parent = await this.comments.findInStory(query.parentId, storyId);
      if (!parent || parent.parentId !== null) throw notFound();
      // a comment of someone blocked either way is left out, and so are its replies
      if (await this.blocks.between(viewer, parent.authorId)) throw notFound();
      parentId = parent.id;
    }
    const rows = await this.comments.page(
      storyId,
      parentId,
      query.limit,
      query.cursor,
      blockViewerId(viewer),
    );
    return toPage(
      rows,
      query.limit,
      (c) => [c.id],
      (c) => CommentDto.from(c, c.author as User),
    );
  }

  async create(user: AuthUser, storyId: number, dto: CreateCommentDto): Promise<CommentDto> {
    const story = await this.stories.requireOpen(user, storyId);
    let parent: Comment | null = null;
    if (dto.parentId !== undefined) {
      parent = await this.comments.findById(dto.parentId);
      if (!parent || parent.storyId !== storyId || parent.parentId !== null || parent.deletedAt) {
        throw invalidParent();
      }
      // no reply to someone blocked either way: for the caller the comment is not there
      if (await this.blocks.between(user, parent.authorId)) throw invalidParent();
    }
    const parentId = parent?.id ?? null;
    const commentId = await runInTransaction(this.dataSource, async (manager) => {
      await this.stories.lock(manager, storyId);
      if (parentId !== null) {
        // conditional, so a reply cannot land on a parent deleted since the check above
        const counted = await this.comments.bumpReplyCount(manager, parentId, 1, true);
        if (!counted) throw invalidParent();
      }
      const id = await this.comments.insert(manager, {
        storyId,
        authorId: user.id,
        parentId,
        content: dto.content,
      });
      await this.storyRows.bumpCounter(manager, storyId, 'comment_count', 1);
      return id;
    });
    await this.events.emitAsync(
      CommentCreatedEvent.NAME,
      new CommentCreatedEvent(
        commentId,
        storyId,
        user.id,
        story.userId,
        parentId,
        parent?.authorId ?? null,
      ),
    );
    return this.read(commentId);
  }

  /** The author edits the content; a deleted comment cannot be edited (404). */
  async update(user: AuthUser, commentId: number, dto: UpdateCommentDto): Promise<CommentDto> {
    const comment = await this.requireVisible(user, commentId);
    if (comment.deletedAt) throw notFound();
    if (comment.authorId !== user.id) {
      throw new DomainException('FORBIDDEN', 'Only the author may edit a comment');
    }
    const changed = await runInTransaction(this.dataSource, (manager) =>
      this.comments.updateContent(manager, commentId, dto.content),
    );
    if (!changed) throw notFound();
    return this.read(commentId);
  }

  /**
   * Soft delete by the author, the story's owner or an admin: the content is blanked, the row
   * and its replies stay. Deleting a deleted comment again changes nothing (and is no error);
   * the conditional update makes only one of two concurrent deletes move the counters.
   */
  async remove(actor: AuthUser, commentId: number): Promise<void> {
    const comment = await this.requireVisible(actor, commentId, (story, c) => {
      const allowed =
        c.authorId === actor.id || story.userId === actor.id || actor.role === 'admin';
      if (!allowed) {
        throw new DomainException(
          'FORBIDDEN',
          "Only the author, the story's owner or an admin may delete a comment",
        );
      }
    });
    if (comment.deletedAt) return;
    const story = await this.stories.requireVisible(actor, comment.storyId);
    // an admin removing someone else's comment on someone else's story is moderation
    const moderated =
      actor.role === 'admin' && comment.authorId !== actor.id && story.userId !== actor.id;
    await runInTransaction(this.dataSource, async (manager) => {
      if (!(await this.softDelete(manager, comment))) return;
      if (moderated) {
        await this.audit.record(
          {
            adminId: actor.id,
            action: 'comment.delete',
            targetType: 'comment',
            targetId: commentId,
          },
          manager,
        );
      }
    });
  }

  /**
   * The soft delete itself, inside the caller's transaction and without access checks or an
   * audit entry (callers own those: `remove`, and report decisions): content blanked, counters
   * moved once. False when the comment was already deleted (a concurrent delete won).
   */
  async softDelete(manager: EntityManager, comment: Comment): Promise<boolean> {
    await this.stories.lock(manager, comment.storyId);
    if (!(await this.comments.markDeleted(manager, comment.id))) return false;
    await this.storyRows.bumpCounter(manager, comment.storyId, 'comment_count', -1);
    if (comment.parentId !== null) {
      await this.comments.bumpReplyCount(manager, comment.parentId, -1, false);
    }
    return true;
  }

  /** A comment as it is now, deleted or not (for reports: the check, the snapshot). */
  find(commentId: number): Promise<Comment | null> {
    return this.comments.findById(commentId);
  }

  findMany(commentIds: number[]): Promise<Comment[]> {
    return this.comments.findMany(commentIds);
  }

  /** The user's comments and replies, for their data export (docs/api.md, Blocking and account rights), oldest first. */
  async *exportOf(
    userId: number,
  ): AsyncGenerator<Omit<CommentDto, 'author' | 'replyCount'> & { storyId: number }> {
    for await (const c of byPages((after) => this.comments.byAuthorAfter(userId, after, 200))) {
      yield {
        id: c.id,
        storyId: c.storyId,
        parentId: c.parentId,
        content: c.content,
        createdAt: c.createdAt.toISOString(),
        updatedAt: c.updatedAt.toISOString(),
        deleted: c.deletedAt !== null,
      };
    }
  }

  /**
   * The comment when the caller may see its story (else 404); `check` may refuse with 403 once
   * it is known the caller can see it.
   */
  private async requireVisible(
    viewer: AuthUser,
    commentId: number,
    check?: (story: Story, comment: Comment) => void,
  ): Promise<Comment> {
    const comment = await this.comments.findById(commentId);
    if (!comment) throw notFound();
    const story = await this.stories
      .requireVisible(viewer, comment.storyId)
      .catch((error: unknown) => {
        throw error instanceof DomainException && error.code === 'NOT_FOUND' ? notFound() : error;
      });
    check?.(story, comment);
    return comment;
  }

  private async read(commentId: number): Promise<CommentDto> {
    const comment = await this.comments.findWithAuthor(commentId);
    if (!comment) throw notFound();
    return CommentDto.from(comment, comment.author as User);
  }
}
