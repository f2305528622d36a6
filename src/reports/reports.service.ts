import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service';
import { ChatService } from '../chat/chat.service';
import { ChatMessage } from '../chat/entities/chat-message.entity';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { decodeCursor, Page, toPage } from '../common/pagination/cursor';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { isUniqueViolation } from '../database/sql';
import { runInTransaction } from '../database/transaction';
import { ContentHiddenEvent } from '../notifications/notification.events';
import { Comment } from '../stories/entities/comment.entity';
import { Story } from '../stories/entities/story.entity';
import { lockStory } from '../stories/reactions.service';
import { CommentsService } from '../stories/comments.service';
import { StoriesService } from '../stories/stories.service';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import {
  AdminReportDto,
  type CreateReportDto,
  type ListReportsQueryDto,
  ReportDto,
  type ReportTargetSnapshotDto,
  type ResolveReportDto,
} from './dto/report.dto';
import {
  pendingKeyOf,
  Report,
  type ReportAction,
  type ReportTargetType,
} from './entities/report.entity';

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
  deleteStoryId: number | null;
}

/**
 * Reports of users (SPEC §9) and their moderation by admins.
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
    @InjectRepository(Report) private readonly reports: Repository<Report>,
    // read-only lookups of what is reported (visibility checks and admin snapshots)
    @InjectRepository(Comment) private readonly comments: Repository<Comment>,
    @InjectRepository(ChatMessage) private readonly messages: Repository<ChatMessage>,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Story) private readonly stories: Repository<Story>,
    private readonly dataSource: DataSource,
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
        if (isStory) await lockStory(manager, dto.targetId);
        const inserted = await manager.insert(Report, {
          reporterId: reporter.id,
          targetType: dto.targetType,
          targetId: dto.targetId,
          reason: dto.reason,
          detail: dto.detail ? dto.detail : null,
          status: 'pending',
          resolution: null,
          resolvedBy: null,
          note: null,
          resolvedAt: null,
          pendingKey: pendingKeyOf(reporter.id, dto.targetType, dto.targetId),
          createdAt: new Date(),
        });
        const id = Number((inserted.identifiers[0] as { id: number }).id);
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
    return ReportDto.from(await this.reports.findOneByOrFail({ id: reportId }));
  }

  /** Hides the story once enough distinct reporters have pending reports on it. */
  private async autoHide(
    manager: EntityManager,
    storyId: number,
  ): Promise<ContentHiddenEvent | null> {
    const row = await manager
      .createQueryBuilder(Report, 'r')
      .select('COUNT(DISTINCT r.reporter_id)', 'reporters')
      .where('r.target_type = :type AND r.target_id = :storyId AND r.status = :pending', {
        type: 'story',
        storyId,
        pending: 'pending',
      })
      .getRawOne<{ reporters: number | string }>();
    if (Number(row?.reporters ?? 0) < this.config.reportAutoHideThreshold) return null;
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
        const story = await this.storiesService.requireVisible(viewer, id);
        if (story.status === 'deleted') throw notFound('Story');
        return { authorId: story.userId, story };
      }
      case 'comment': {
        const comment = await this.comments.findOneBy({ id });
        if (!comment || comment.deletedAt) throw notFound('Comment');
        const story = await this.storiesService
          .requireVisible(viewer, comment.storyId)
          .catch((error: unknown) => {
            throw error instanceof DomainException && error.code === 'NOT_FOUND'
              ? notFound('Comment')
              : error;
          });
        if (story.status === 'deleted') throw notFound('Comment');
        return { authorId: comment.authorId, comment };
      }
      case 'user': {
        const user = await this.users.findOneBy({ id });
        if (!user || user.status === 'withdrawn') throw notFound('User');
        return { authorId: user.id };
      }
      case 'message': {
        const message = await this.messages.findOneBy({ id });
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
    const qb = this.reports
      .createQueryBuilder('r')
      .innerJoin('r.reporter', 'u')
      .addSelect(['u.id', 'u.nickname'])
      .where('r.status = :status', { status });
    if (query.targetType)
      qb.andWhere('r.target_type = :targetType', { targetType: query.targetType });
    if (grouped) {
      qb.andWhere(
        'r.id IN (SELECT MIN(f.id) FROM reports f WHERE f.status = :status ' +
          'GROUP BY f.target_type, f.target_id)',
      );
    }
    if (query.cursor) {
      const [id] = decodeCursor(query.cursor, ['id']);
      qb.andWhere(grouped ? 'r.id > :cursorId' : 'r.id < :cursorId', { cursorId: Number(id) });
    }
    const rows = await qb
      .orderBy('r.id', grouped ? 'ASC' : 'DESC')
      .limit(query.limit + 1)
      .getMany();
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
    const report = await this.reports.findOneBy({ id: reportId });
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
      const todo: AfterCommit = { hidden: [], suspendedUserId: null, deleteStoryId: null };
      await this.closeReports(manager, admin, report, action, note);
      let audited = true;
      switch (action) {
        case 'dismiss':
          await this.applyDismiss(manager, target);
          break;
        case 'hide':
          await this.applyHide(manager, report, target, note, todo);
          break;
        case 'delete':
          if (report.targetType === 'story') {
            // StoriesService.remove (after commit) deletes the story with its media and writes
            // the one audit entry of this decision (`story.delete`), unless it is the admin's own
            todo.deleteStoryId = report.targetId;
            audited = target.authorId === admin.id;
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
      if (audited) await this.recordAudit(manager, admin, report, action, note);
      return todo;
    });

    if (after.deleteStoryId !== null) await this.deleteStory(admin, report, note, target, after);
    if (after.suspendedUserId !== null) {
      await this.usersService.announceSuspension(after.suspendedUserId);
    }
    for (const event of after.hidden) await this.events.emitAsync(ContentHiddenEvent.NAME, event);
    const [decided] = await this.adminDtos([await this.reports.findOneByOrFail({ id: reportId })]);
    return decided;
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
    const decision = {
      status: action === 'dismiss' ? ('dismissed' as const) : ('resolved' as const),
      resolution: action,
      resolvedBy: admin.id,
      resolvedAt: new Date(),
      note,
      pendingKey: null,
    };
    const claimed = await manager
      .createQueryBuilder()
      .update(Report)
      .set(decision)
      .where('id = :id AND status = :pending', { id: report.id, pending: 'pending' })
      .execute();
    if (!claimed.affected) throw this.notPending();
    await manager
      .createQueryBuilder()
      .update(Report)
      .set(decision)
      .where('target_type = :type AND target_id = :targetId AND status = :pending', {
        type: report.targetType,
        targetId: report.targetId,
        pending: 'pending',
      })
      .execute();
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

  /** The `delete` decision on a story, once its reports are closed. */
  private async deleteStory(
    admin: AuthUser,
    report: Report,
    note: string | null,
    target: ReportedTarget,
    after: AfterCommit,
  ): Promise<void> {
    try {
      await this.storiesService.remove(admin, report.targetId);
    } catch (error) {
      // deleted meanwhile (by its author): the decision still needs its audit entry
      if (!(error instanceof DomainException && error.code === 'NOT_FOUND')) throw error;
      await this.recordAudit(this.dataSource.manager, admin, report, 'delete', note);
      return;
    }
    if (target.authorId !== null && target.authorId !== admin.id) {
      after.hidden.push(new ContentHiddenEvent(target.authorId, 'story', report.targetId, note));
    }
  }

  /** What a decision acts on, read whether or not it is still visible. */
  private async loadTarget(type: ReportTargetType, id: number): Promise<ReportedTarget> {
    switch (type) {
      case 'story': {
        const story = await this.stories.findOneBy({ id });
        return { authorId: story?.userId ?? null, story: story ?? undefined };
      }
      case 'comment': {
        const comment = await this.comments.findOneBy({ id });
        return { authorId: comment?.authorId ?? null, comment: comment ?? undefined };
      }
      case 'user': {
        const user = await this.users.findOneBy({ id });
        return { authorId: user && user.status !== 'withdrawn' ? user.id : null };
      }
      case 'message': {
        const message = await this.messages.findOneBy({ id });
        return { authorId: message?.senderId ?? null };
      }
    }
  }

  // ---- admin views --------------------------------------------------------------------------

  /** Admin items for `rows` (reporter loaded), in a fixed number of queries. */
  private async adminDtos(rows: Report[]): Promise<AdminReportDto[]> {
    if (rows.length === 0) return [];
    const [counts, snapshots] = await Promise.all([this.counts(rows), this.snapshots(rows)]);
    const reporters = new Map<number, string>();
    const missing = rows.filter((r) => !r.reporter).map((r) => r.reporterId);
    if (missing.length > 0) {
      const found = await this.users.find({
        select: { id: true, nickname: true },
        where: { id: In(missing) },
      });
      for (const u of found) reporters.set(u.id, u.nickname);
    }
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
        nickname: r.reporter?.nickname ?? reporters.get(r.reporterId) ?? '',
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
    const found = await this.reports
      .createQueryBuilder('r')
      .select('r.status', 'status')
      .addSelect('r.target_type', 'targetType')
      .addSelect('r.target_id', 'targetId')
      .addSelect('COUNT(*)', 'count')
      .where('r.status IN (:...statuses) AND r.target_id IN (:...targetIds)', {
        statuses,
        targetIds,
      })
      .groupBy('r.status')
      .addGroupBy('r.target_type')
      .addGroupBy('r.target_id')
      .getRawMany<{ status: string; targetType: string; targetId: number; count: number }>();
    return new Map(
      found.map((c) => [`${c.status}:${c.targetType}:${Number(c.targetId)}`, Number(c.count)]),
    );
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
      storyIds.length
        ? this.stories.find({
            select: { id: true, title: true, status: true },
            where: { id: In(storyIds) },
          })
        : [],
      commentIds.length
        ? this.comments.find({
            select: { id: true, content: true, deletedAt: true },
            where: { id: In(commentIds) },
          })
        : [],
      userIds.length
        ? this.users.find({
            select: { id: true, nickname: true, status: true },
            where: { id: In(userIds) },
          })
        : [],
      messageIds.length
        ? this.messages.find({
            select: { id: true, content: true, roomId: true },
            where: { id: In(messageIds) },
          })
        : [],
    ]);
    const map = new Map<string, ReportTargetSnapshotDto>();
    for (const s of stories) map.set(`story:${s.id}`, { title: s.title, status: s.status });
    for (const c of comments) {
      map.set(`comment:${c.id}`, { content: c.content, deleted: c.deletedAt !== null });
    }
    for (const u of users) map.set(`user:${u.id}`, { nickname: u.nickname, status: u.status });
    for (const m of messages) {
      map.set(`message:${m.id}`, { content: m.content, roomId: m.roomId });
    }
    return map;
  }
}
