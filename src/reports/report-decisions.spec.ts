import { AuditLog } from '../audit/entities/audit-log.entity';
import { ChatService } from '../chat/chat.service';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { MatchingService } from '../matching/matching.service';
import { CommentsService } from '../stories/comments.service';
import { Comment } from '../stories/entities/comment.entity';
import { Story } from '../stories/entities/story.entity';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import { AppContext, createAppContext } from '../../test/support/app-context';
import {
  guideThroughServices,
  requestThroughServices,
  storyThroughServices,
} from '../../test/support/domain-fixtures';
import { Report, ReportAction, ReportTargetType } from './entities/report.entity';
import { ReportsService } from './reports.service';

/** What a decision does to each kind of target (docs/api.md, Reports and moderation; ResolveReportDto). */
type Effect = 'hidden' | 'deleted' | 'author suspended' | 'unchanged' | 'refused';
const MATRIX: Record<ReportTargetType, Record<ReportAction, Effect>> = {
  story: {
    hide: 'hidden',
    delete: 'deleted',
    suspend_user: 'author suspended',
    dismiss: 'unchanged',
  },
  comment: {
    hide: 'deleted',
    delete: 'deleted',
    suspend_user: 'author suspended',
    dismiss: 'unchanged',
  },
  user: {
    hide: 'refused',
    delete: 'author suspended',
    suspend_user: 'author suspended',
    dismiss: 'unchanged',
  },
  message: {
    hide: 'refused',
    delete: 'refused',
    suspend_user: 'author suspended',
    dismiss: 'unchanged',
  },
};

/**
 * Report decisions against the real services and a real SQLite data source: for every kind
 * of target and every action, what happens to the target, to all pending reports on it, and
 * in the audit log — in one transaction, decided once.
 */
describe('ReportsService.resolve decision matrix', () => {
  let ctx: AppContext;
  let reports: ReportsService;
  let admin: AuthUser;

  beforeAll(async () => {
    ctx = await createAppContext();
    reports = ctx.get(ReportsService);
    admin = await ctx.user('admin');
  });
  afterAll(async () => ctx.close());

  /** A fresh target of `type` and the user responsible for it. */
  async function target(type: ReportTargetType): Promise<{ id: number; authorId: number }> {
    const guide = await guideThroughServices(ctx, admin);
    const story = await storyThroughServices(ctx, guide);
    if (type === 'story') return { id: story.id, authorId: guide.id };
    const traveler = await ctx.user();
    if (type === 'user') return { id: traveler.id, authorId: traveler.id };
    if (type === 'comment') {
      const comment = await ctx
        .get(CommentsService)
        .create(traveler, story.id, { content: 'Meh.' });
      return { id: comment.id, authorId: traveler.id };
    }
    const requestId = await requestThroughServices(ctx, traveler, story.id);
    const accepted = await ctx.get(MatchingService).accept(guide, requestId);
    const sent = await ctx
      .get(ChatService)
      .sendMessage(traveler, accepted.chatRoomId as number, { content: 'Pay me outside.' });
    return { id: sent.message.id, authorId: traveler.id };
  }

  /** Who may report it: someone who can see it (for a message, the other member). */
  async function reporterOf(type: ReportTargetType, targetId: number): Promise<AuthUser[]> {
    if (type !== 'message') return [await ctx.user(), await ctx.user()];
    const message = await ctx.get(ChatService).findMessage(targetId);
    const room = await ctx.dataSource.query('SELECT guide_user_id FROM chat_rooms WHERE id = ?', [
      message?.roomId,
    ]);
    const guideUser = await ctx.get(UsersService).authenticate(room[0].guide_user_id);
    return [guideUser];
  }

  async function stateOf(type: ReportTargetType, id: number, authorId: number): Promise<Effect> {
    const author = await ctx.dataSource.getRepository(User).findOneByOrFail({ id: authorId });
    if (author.status === 'suspended') return 'author suspended';
    if (type === 'story') {
      const story = await ctx.dataSource.getRepository(Story).findOneByOrFail({ id });
      return story.status === 'published' ? 'unchanged' : (story.status as Effect);
    }
    if (type === 'comment') {
      const comment = await ctx.dataSource.getRepository(Comment).findOneByOrFail({ id });
      return comment.deletedAt ? 'deleted' : 'unchanged';
    }
    return 'unchanged';
  }

  const cases = (Object.keys(MATRIX) as ReportTargetType[]).flatMap((targetType) =>
    (Object.keys(MATRIX[targetType]) as ReportAction[]).map((action) => ({
      targetType,
      action,
      effect: MATRIX[targetType][action],
    })),
  );

  it.each(cases)('$action on a $targetType: $effect', async ({ targetType, action, effect }) => {
    const { id, authorId } = await target(targetType);
    const reporters = await reporterOf(targetType, id);
    const filed: number[] = [];
    for (const reporter of reporters) {
      const report = await reports.create(reporter, { targetType, targetId: id, reason: 'spam' });
      filed.push(report.id);
    }
    const audits = () =>
      ctx.dataSource.getRepository(AuditLog).countBy({ targetType, targetId: id });

    const outcome = await reports.resolve(admin, filed[0], { action, note: 'decided' }).then(
      (decided) => decided.status,
      (error: unknown) => (error instanceof DomainException ? error.code : Promise.reject(error)),
    );

    const rows = await ctx.dataSource.getRepository(Report).findBy({ targetType, targetId: id });
    if (effect === 'refused') {
      expect(outcome).toBe('VALIDATION_FAILED');
      expect(rows.every((r) => r.status === 'pending')).toBe(true);
      expect(await audits()).toBe(0);
      expect(await stateOf(targetType, id, authorId)).toBe('unchanged');
      return;
    }
    const status = action === 'dismiss' ? 'dismissed' : 'resolved';
    expect(outcome).toBe(status);
    // every pending report on the target is decided with it, and audited once
    expect(rows.map((r) => [r.status, r.resolution])).toEqual(rows.map(() => [status, action]));
    expect(await audits()).toBe(1);
    expect(await stateOf(targetType, id, authorId)).toBe(effect);
    // decided once: the same report again is a conflict and changes nothing
    const again = await reports
      .resolve(admin, filed[0], { action })
      .catch((e: DomainException) => e.code);
    expect(again).toBe('CONFLICT');
    expect(await audits()).toBe(1);
  });
});
