import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditLogService } from '../audit/audit-log.service';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { runInTransaction } from '../database/transaction';
import { ContentHiddenEvent } from '../stories/stories.events';
import { CommentsService } from '../stories/comments.service';
import { StoriesService } from '../stories/stories.service';
import type { AdminUserDto } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';
import type { ModeratedStoryDto } from './dto/admin-moderation.dto';

/**
 * The admin moderation routes: each action runs with its audit entry in one transaction, and
 * its side effects (socket disconnects, notifications) follow the commit.
 */
@Injectable()
export class AdminModerationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly stories: StoriesService,
    private readonly audit: AuditLogService,
    private readonly events: EventEmitter2,
    private readonly comments: CommentsService,
  ) {}

  async suspendUser(
    admin: AuthUser,
    userId: number,
    reason: string,
    until: Date | null,
  ): Promise<AdminUserDto> {
    await runInTransaction(this.dataSource, async (manager) => {
      await this.users.suspend({ userId, reason, until }, manager);
      await this.audit.record(
        { adminId: admin.id, action: 'user.suspend', targetType: 'user', targetId: userId, reason },
        manager,
      );
    });
    await this.users.announceSuspension(userId);
    return this.users.getForAdmin(userId);
  }

  async unsuspendUser(admin: AuthUser, userId: number): Promise<AdminUserDto> {
    await runInTransaction(this.dataSource, async (manager) => {
      await this.users.unsuspend({ userId }, manager);
      await this.audit.record(
        { adminId: admin.id, action: 'user.unsuspend', targetType: 'user', targetId: userId },
        manager,
      );
    });
    return this.users.getForAdmin(userId);
  }

  /** published → hidden; the author gets CONTENT_HIDDEN with the reason. */
  async hideStory(admin: AuthUser, storyId: number, reason: string): Promise<ModeratedStoryDto> {
    const hidden = await runInTransaction(this.dataSource, async (manager) => {
      const moved = await this.stories.hide({ storyId, reason }, manager);
      if (!moved) return null;
      await this.audit.record(
        { adminId: admin.id, action: 'story.hide', targetType: 'story', targetId: storyId, reason },
        manager,
      );
      return moved;
    });
    if (!hidden) throw await this.notMoved(storyId, 'published');
    await this.events.emitAsync(
      ContentHiddenEvent.NAME,
      new ContentHiddenEvent(hidden.authorId, 'story', storyId, reason),
    );
    return this.storyState(storyId);
  }

  /** hidden → published. */
  async unhideStory(admin: AuthUser, storyId: number): Promise<ModeratedStoryDto> {
    const shown = await runInTransaction(this.dataSource, async (manager) => {
      const moved = await this.stories.unhide({ storyId }, manager);
      if (!moved) return null;
      await this.audit.record(
        { adminId: admin.id, action: 'story.unhide', targetType: 'story', targetId: storyId },
        manager,
      );
      return moved;
    });
    if (!shown) throw await this.notMoved(storyId, 'hidden');
    return this.storyState(storyId);
  }

  /**
   * Soft delete through the comments module (which writes the `comment.delete` audit entry);
   * the author is told with CONTENT_HIDDEN when the comment was someone else's and this call
   * deleted it. Deleting a deleted comment again is no error and changes nothing.
   */
  async deleteComment(admin: AuthUser, commentId: number): Promise<void> {
    const before = await this.comments.find(commentId);
    await this.comments.remove(admin, commentId);
    if (!before || before.deletedAt || before.authorId === admin.id) return;
    await this.events.emitAsync(
      ContentHiddenEvent.NAME,
      new ContentHiddenEvent(before.authorId, 'comment', commentId, null),
    );
  }

  /** Why a story did not move: it does not exist for anyone (404) or is in another state (409). */
  private async notMoved(storyId: number, expected: string): Promise<DomainException> {
    const story = await this.stories.find(storyId);
    if (!story || story.status === 'deleted') {
      return new DomainException('NOT_FOUND', 'Story not found');
    }
    return new DomainException(
      'CONFLICT',
      `Only ${expected} stories can be changed so; this one is ${story.status}`,
    );
  }

  private async storyState(storyId: number): Promise<ModeratedStoryDto> {
    const story = await this.stories.find(storyId);
    if (!story) throw new DomainException('NOT_FOUND', 'Story not found');
    return {
      id: story.id,
      userId: story.userId,
      status: story.status,
      hiddenReason: story.hiddenReason,
    };
  }
}
