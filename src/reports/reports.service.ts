import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service';
import { ChatService } from '../chat/chat.service';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { Page, toPage } from '../common/pagination/cursor';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { isUniqueViolation } from '../database/sql';
import { byPages } from '../common/streaming/json-document';
import { runInTransaction } from '../database/transaction';
import { CommentsService } from '../stories/comments.service';
import type { Comment } from '../stories/entities/comment.entity';
import type { Story } from '../stories/entities/story.entity';
import { ContentHiddenEvent } from '../stories/stories.events';
import { StoriesService, type StoryRemoval } from '../stories/stories.service';
import { UsersService } from '../users/users.service';
import {
  AdminReportDto,
  type CreateReportDto,
  type ListReportsQueryDto,
  ReportDto,
  type ReportTargetSnapshotDto,
  type ResolveReportDto,
} from './dto/report.dto';
import { Report, type ReportAction, type ReportTargetType } from './entities/report.entity';
import { ReportsRepository } from './reports.repository';

/** The reason a story hidden by reports carries, so a dismissal knows to show it again. */
export const AUTO_HIDE_REASON = 'auto-hidden: reports';

/** Which actions make sense for which target (see ResolveReportDto). */
const ALLOWED_ACTIONS: Record<ReportTargetType, readonly ReportAction[]> = {
  story: ['hide', 'delete', 'suspend_user', 'dismiss'],
  comment: ['hide', 'delete', 'suspend_user', 'dismiss'],
  user: ['delete', 'suspend_user', 'dismiss'],
  message: ['suspend_user', 'dismiss'],
};

function notFound(what: string): DomainException {
  return new DomainException('NOT_FOUND', `${what} not found`);
}

function ownTarget(): DomainException {
  const message = 'You cannot report yourself or your own content';
  return new DomainException('VALIDATION_FAILED', message, [
    { field: 'targetId', errors: [message] },
  ]);
}

/** What the reported thing is, as far as deciding on it needs. */
interface ReportedTarget {
  /** The person responsible: the author of the content, or the reported user. */
  authorId: number | null;
  story?: Story;
  comment?: Comment;
}

/** Side effects of a decision that may only happen once its transaction committed. */
interface AfterCommit {
  hidden: ContentHiddenEvent[];
  suspendedUserId: number | null;
  removal: StoryRemoval | null;
}

/**
 * Reports of users (docs/api.md, Reports and moderation) and their moderation by admins.
 *
 * - A reporter needs to be able to see what they report (else 404, as everywhere) and cannot
 *   report themselves or their own content (400). One pending report per reporter and
 *   target: a unique key, so also under concurrency (409 REPORT_DUPLICATE).
 * - A story reported by `REPORT_AUTO_HIDE_THRESHOLD` distinct reporters with pending reports
 *   is hidden in the same transaction as the report that reached it (the story row is locked
 *   first, so concurrent reports are counted one after the other) and its author notified.
 * - An admin decision resolves every pending report on the target at once, applies the
 *   action and writes one audit entry, in one transaction; notifications and socket
 *   disconnects follow the commit.
 */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reports: ReportsRepository,
    private readonly storiesService: StoriesService,
    private readonly commentsService: CommentsService,
    private readonly usersService: UsersService,
    private readonly chat: ChatService,
    private readonly audit: AuditLogService,
    private readonly events: EventEmitter2,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  // ---- reporting ----------------------------------------------------------------------------

  async create(reporter: AuthUser, dto: CreateReportDto): Promise<ReportDto> {
    const target = await this.requireReportable(reporter, dto.targetType, dto.targetId);
    if (target.authorId === reporter.id) throw ownTarget();
    const isStory = dto.targetType === 'story';
    let hidden: ContentHiddenEvent | null = null;
    let reportId: number;
    try {
      reportId = await runInTransaction(this.dataSource, async (manager) => {
        // serialises reports of one story, so the count below sees every committed report
        if (isStory) await this.storiesService.lock(manager, dto.targetId);
        const id = await this.reports.insertPending(manager, {
          reporterId: reporter.id,
          targetType: dto.targetType,
          targetId: dto.targetId,
          reason: dto.reason,
          detail: dto.detail ? dto.detail : null,
        });
        if (isStory) hidden = await this.autoHide(manager, dto.targetId);
        return id;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainException(
          'REPORT_DUPLICATE',
          'You have already reported this and it is still being reviewed',
        );
      }
      throw error;
    }
    if (hidden) await this.events.emitAsync(ContentHiddenEvent.NAME, hidden);
    return ReportDto.from((await this.reports.findById(reportId)) as Report);
  }

  /** Hides the story once enough distinct reporters have pending reports on it. */
  private async autoHide(
    manager: EntityManager,
    storyId: number,
  ): Promise<ContentHiddenEvent | null> {
    const reporters = await this.reports.pendingReporterCount(manager, 'story', storyId);
    if (reporters < this.config.reportAutoHideThreshold) return null;
    const hidden = await this.storiesService.hide({ storyId, reason: AUTO_HIDE_REASON }, manager);
    return hidden
      ? new ContentHiddenEvent(hidden.authorId, 'story', storyId, AUTO_HIDE_REASON)
      : null;
  }

  /**
   * The target when `viewer` may see it (else 404): a story they can see; a comment that is
   * not deleted on a story they can see; a user who has not withdrawn; a message of a room
   * they are a member of.
   */
  private async requireReportable(
    viewer: AuthUser,
    type: ReportTargetType,
    id: number,
  ): Promise<ReportedTarget> {
    switch (type) {
      case 'story': {
        // a report about someone blocked stays possible (docs/api.md, Blocking and account rights)
        const story = await this.storiesService.requireOpen(viewer, id, { ignoreBlocks: true });
        return { authorId: story.userId, story };
      }
      case 'comment': {
        const comment = await this.commentsService.find(id);
        if (!comment || comment.deletedAt) throw notFound('Comment');
        const visible = this.storiesService.requireOpen(viewer, comment.storyId, {
          ignoreBlocks: true,
        });
        await visible.catch((error: unknown) => {
          throw error instanceof DomainException && error.code === 'NOT_FOUND'
            ? notFound('Comment')
            : error;
        });
        return { authorId: comment.authorId, comment };
      }
      case 'user': {
        const user = await this.usersService.getPublic(id);
        return { authorId: user.id };
      }
      case 'message': {
        const message = await this.chat.findMessage(id);
        if (!message) throw notFound('Message');
        await this.chat.requireMember(viewer, message.roomId).catch((error: unknown) => {
          throw error instanceof DomainException && error.code === 'NOT_FOUND'
            ? notFound('Message')
            : error;
        });
        if (message.senderId === null) {
          const text = 'System messages cannot be reported';
          throw new DomainException('VALIDATION_FAILED', text, [
            { field: 'targetId', errors: [text] },
          ]);
        }
        return { authorId: message.senderId };
      }
    }
  }

  // ---- moderation ---------------------------------------------------------------------------

  /**
   * The moderation queue. `pending`: one entry per reported target (its oldest pending
   * report), oldest first, so five reports of one story are one decision. `resolved` and
   * `dismissed`: every report, newest first. `reportCount` counts the reports with the listed
   * status on the same target (one grouped query per page).
   */
  async list(query: ListReportsQueryDto): Promise<Page<AdminReportDto>> {
    const status = query.status ?? 'pending';
    const grouped = status === 'pending';
    const rows = await this.reports.page(
      { status, targetType: query.targetType },
      grouped,
      query.limit,
      query.cursor,
    );
    const page = toPage(
      rows,
      query.limit,
      (r) => [r.id],
      (r) => r,
    );
    return { items: await this.adminDtos(page.items), nextCursor: page.nextCursor };
  }

  /**
   * Decides report `reportId` and with it every pending report on the same target (see
   * ResolveReportDto for what each action does to each kind of target). 409 when the report
   * is not pending (any more), also when two admins decide at once.
   */
  async resolve(admin: AuthUser, reportId: number, dto: ResolveReportDto): Promise<AdminReportDto> {
    const report = await this.reports.findById(reportId);
    if (!report) throw notFound('Report');
    if (report.status !== 'pending') throw this.notPending();
    const { action } = dto;
    if (!ALLOWED_ACTIONS[report.targetType].includes(action)) {
      const text = `"${action}" cannot be applied to a reported ${report.targetType}; use one of ${ALLOWED_ACTIONS[report.targetType].join(', ')}`;
      throw new DomainException('VALIDATION_FAILED', text, [{ field: 'action', errors: [text] }]);
    }
    const note = dto.note ? dto.note : null;
    const target = await this.loadTarget(report.targetType, report.targetId);

    const after = await runInTransaction(this.dataSource, async (manager) => {
      const todo: AfterCommit = { hidden: [], suspendedUserId: null, removal: null };
      await this.closeReports(manager, admin, report, action, note);
      switch (action) {
        case 'dismiss':
          await this.applyDismiss(manager, target);
          break;
        case 'hide':
          await this.applyHide(manager, report, target, note, todo);
          break;
        case 'delete':
          if (report.targetType === 'story') {
            await this.applyDelete(manager, admin, report, note, todo);
          } else if (report.targetType === 'comment') {
            await this.applyHide(manager, report, target, note, todo);
          } else {
            await this.suspend(manager, report, target, note, todo);
          }
          break;
        case 'suspend_user':
          await this.suspend(manager, report, target, note, todo);
          break;
      }
      await this.recordAudit(manager, admin, report, action, note);
      return todo;
    });

    await after.removal?.afterCommit();
    if (after.suspendedUserId !== null) {
      await this.usersService.announceSuspension(after.suspendedUserId);
    }
    for (const event of after.hidden) await this.events.emitAsync(ContentHiddenEvent.NAME, event);
    const [decided] = await this.adminDtos([(await this.reports.findById(reportId)) as Report]);
    return decided;
  }

  /** The reports the user filed and how they were decided, for their data export (docs/api.md, Blocking and account rights). */
  async *exportFiledBy(
    userId: number,
  ): AsyncGenerator<ReportDto & { resolution: string | null; resolvedAt: string | null }> {
    for await (const r of byPages((after) => this.reports.filedAfter(userId, after, 200))) {
      yield {
        ...ReportDto.from(r),
        resolution: r.resolution,
        resolvedAt: r.resolvedAt?.toISOString() ?? null,
      };
    }
  }

  /** Reports waiting for a decision, for the admin dashboard. */
  countPending(): Promise<number> {
    return this.reports.countPending();
  }

  private notPending(): DomainException {
    return new DomainException('CONFLICT', 'This report has already been decided');
  }

  /** Claims the report (conditionally, so only one decision wins), then its siblings. */
  private async closeReports(
    manager: EntityManager,
    admin: AuthUser,
    report: Report,
    action: ReportAction,
    note: string | null,
  ): Promise<void> {
    const decided = await this.reports.decide(manager, report, {
      status: action === 'dismiss' ? 'dismissed' : 'resolved',
      resolution: action,
      resolvedBy: admin.id,
      note,
    });
    if (!decided) throw this.notPending();
  }

  private async recordAudit(
    manager: EntityManager,
    admin: AuthUser,
    report: Report,
    action: ReportAction,
    note: string | null,
  ): Promise<void> {
    await this.audit.record(
      {
        adminId: admin.id,
        action: `report.${action}`,
        targetType: report.targetType,
        targetId: report.targetId,
        reason: note,
      },
      manager,
    );
  }

  /** A story hidden by reports is shown again; nothing else changes. */
  private async applyDismiss(manager: EntityManager, target: ReportedTarget): Promise<void> {
    const story = target.story;
    if (story && story.status === 'hidden' && story.hiddenReason === AUTO_HIDE_REASON) {
      await this.storiesService.unhide({ storyId: story.id }, manager);
    }
  }

  /** Hides a story, or soft-deletes a comment; the author is told after commit. */
  private async applyHide(
    manager: EntityManager,
    report: Report,
    target: ReportedTarget,
    note: string | null,
    todo: AfterCommit,
  ): Promise<void> {
    if (report.targetType === 'story' && target.story) {
      const story = target.story;
      if (story.status === 'hidden' && story.hiddenReason === AUTO_HIDE_REASON) {
        // the automatic hide becomes the admin's: the reason is replaced, so a later
        // dismissal of new reports does not show the story again (the author knows already)
        await this.storiesService.unhide({ storyId: story.id }, manager);
        await this.storiesService.hide({ storyId: story.id, reason: note }, manager);
        return;
      }
      const hidden = await this.storiesService.hide({ storyId: story.id, reason: note }, manager);
      if (hidden) {
        todo.hidden.push(new ContentHiddenEvent(hidden.authorId, 'story', story.id, note));
      }
      return;
    }
    if (report.targetType === 'comment' && target.comment) {
      if (await this.commentsService.softDelete(manager, target.comment)) {
        todo.hidden.push(
          new ContentHiddenEvent(target.comment.authorId, 'comment', target.comment.id, note),
        );
      }
    }
  }

  private async suspend(
    manager: EntityManager,
    report: Report,
    target: ReportedTarget,
    note: string | null,
    todo: AfterCommit,
  ): Promise<void> {
    if (target.authorId === null) return;
    await this.usersService.suspend(
      {
        userId: target.authorId,
        reason: note ?? `report #${report.id}: ${report.reason}`,
        until: null,
      },
      manager,
    );
    todo.suspendedUserId = target.authorId;
  }

  /**
   * The `delete` decision on a story, inside the decision's transaction: the story is deleted
   * (its files after the commit); the author is told, unless the admin deleted their own.
   */
  private async applyDelete(
    manager: EntityManager,
    admin: AuthUser,
    report: Report,
    note: string | null,
    todo: AfterCommit,
  ): Promise<void> {
    const removal = await this.storiesService.removeInTransaction(manager, report.targetId);
    todo.removal = removal;
    if (removal.removed && removal.authorId !== null && removal.authorId !== admin.id) {
      todo.hidden.push(new ContentHiddenEvent(removal.authorId, 'story', report.targetId, note));
    }
  }

  /** What a decision acts on, read whether or not it is still visible. */
  private async loadTarget(type: ReportTargetType, id: number): Promise<ReportedTarget> {
    switch (type) {
      case 'story': {
        const story = await this.storiesService.find(id);
        return { authorId: story?.userId ?? null, story: story ?? undefined };
      }
      case 'comment': {
        const comment = await this.commentsService.find(id);
        return { authorId: comment?.authorId ?? null, comment: comment ?? undefined };
      }
      case 'user': {
        const user = (await this.usersService.profiles([id])).get(id);
        return { authorId: user && user.status !== 'withdrawn' ? user.id : null };
      }
      case 'message': {
        const message = await this.chat.findMessage(id);
        return { authorId: message?.senderId ?? null };
      }
    }
  }

  // ---- admin views --------------------------------------------------------------------------

  /** Admin items for `rows` (reporter loaded), in a fixed number of queries. */
  private async adminDtos(rows: Report[]): Promise<AdminReportDto[]> {
    if (rows.length === 0) return [];
    const [counts, snapshots] = await Promise.all([this.counts(rows), this.snapshots(rows)]);
    const reporters = await this.usersService.profiles(
      rows.filter((r) => !r.reporter).map((r) => r.reporterId),
    );
    return rows.map((r) => ({
      id: r.id,
      targetType: r.targetType,
      targetId: r.targetId,
      target: snapshots.get(`${r.targetType}:${r.targetId}`) ?? null,
      reason: r.reason,
      detail: r.detail,
      status: r.status,
      reporter: {
        id: r.reporterId,
        nickname: r.reporter?.nickname ?? reporters.get(r.reporterId)?.nickname ?? '',
      },
      reportCount: counts.get(`${r.status}:${r.targetType}:${r.targetId}`) ?? 0,
      createdAt: r.createdAt.toISOString(),
      resolvedAt: r.resolvedAt?.toISOString() ?? null,
      resolution: r.resolution,
      note: r.note,
    }));
  }

  /** Reports per (status, target) for the targets of `rows`: one grouped query. */
  private async counts(rows: Report[]): Promise<Map<string, number>> {
    const statuses = [...new Set(rows.map((r) => r.status))];
    const targetIds = [...new Set(rows.map((r) => r.targetId))];
    const found = await this.reports.countsByTarget(statuses, targetIds);
    return new Map(found.map((c) => [`${c.status}:${c.targetType}:${c.targetId}`, c.count]));
  }

  /** What each reported target looks like now, keyed `type:id`: one query per target type. */
  private async snapshots(rows: Report[]): Promise<Map<string, ReportTargetSnapshotDto>> {
    const idsOf = (type: ReportTargetType) => [
      ...new Set(rows.filter((r) => r.targetType === type).map((r) => r.targetId)),
    ];
    const [storyIds, commentIds, userIds, messageIds] = [
      idsOf('story'),
      idsOf('comment'),
      idsOf('user'),
      idsOf('message'),
    ];
    const [stories, comments, users, messages] = await Promise.all([
      this.storiesService.findMany(storyIds),
      this.commentsService.findMany(commentIds),
      this.usersService.profiles(userIds),
      this.chat.findMessages(messageIds),
    ]);
    const map = new Map<string, ReportTargetSnapshotDto>();
    for (const s of stories) map.set(`story:${s.id}`, { title: s.title, status: s.status });
    for (const c of comments) {
      map.set(`comment:${c.id}`, { content: c.content, deleted: c.deletedAt !== null });
    }
    for (const u of users.values()) {
      map.set(`user:${u.id}`, { nickname: u.nickname, status: u.status });
    }
    for (const m of messages) {
      map.set(`message:${m.id}`, { content: m.content, roomId: m.roomId });
    }
    return map;
  }
}
