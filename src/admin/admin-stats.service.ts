import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChatMessage } from '../chat/entities/chat-message.entity';
import { Guide } from '../guides/entities/guide.entity';
import { MatchingRequest } from '../matching/entities/matching-request.entity';
import { Story } from '../stories/entities/story.entity';
import { User } from '../users/entities/user.entity';
import { UsersService } from '../users/users.service';
import type { AdminStatsDto } from './dto/admin-stats.dto';

const DAY_MS = 24 * 60 * 60 * 1000;
const REPORTS_TABLE = 'reports';

type Counts = Record<string, number>;

/**
 * The numbers of GET /admin/stats, each a COUNT in the database (one grouped query per table,
 * run side by side). Read-only, so it reads the other modules' tables directly rather than
 * asking each module for a count of its own.
 */
@Injectable()
export class AdminStatsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
  ) {}

  async stats(): Promise<AdminStatsDto> {
    // so `suspended` does not count suspensions whose time has run out
    await this.users.liftExpiredSuspensions();
    const now = Date.now();
    const [users, guides, stories, matching, reports, messages] = await Promise.all([
      this.userCounts(new Date(now - 7 * DAY_MS)),
      this.countByStatus(Guide, 'guides'),
      this.countByStatus(Story, 'stories'),
      this.countByStatus(MatchingRequest, 'matching_requests'),
      this.pendingReports(),
      this.dataSource
        .createQueryBuilder(ChatMessage, 'm')
        .where('m.created_at >= :since', { since: new Date(now - DAY_MS) })
        .getCount(),
    ]);
    return {
      users,
      guides: { pending: guides.pending ?? 0, approved: guides.approved ?? 0 },
      stories: { published: stories.published ?? 0, hidden: stories.hidden ?? 0 },
      matching: {
        pending: matching.pending ?? 0,
        accepted: matching.accepted ?? 0,
        completed: matching.completed ?? 0,
        rejected: matching.rejected ?? 0,
        cancelled: matching.cancelled ?? 0,
      },
      reports: { pending: reports },
      chat: { messagesLast24h: messages },
    };
  }

  /** Withdrawn accounts are left out of every user number: they are gone for the product. */
  private async userCounts(newSince: Date): Promise<AdminStatsDto['users']> {
    const row = await this.dataSource
      .createQueryBuilder(User, 'u')
      .select('COUNT(*)', 'total')
      .addSelect("SUM(CASE WHEN u.role = 'guide' THEN 1 ELSE 0 END)", 'guides')
      .addSelect("SUM(CASE WHEN u.status = 'suspended' THEN 1 ELSE 0 END)", 'suspended')
      .addSelect('SUM(CASE WHEN u.created_at >= :newSince THEN 1 ELSE 0 END)', 'newLast7Days')
      .where('u.status <> :withdrawn', { withdrawn: 'withdrawn' })
      .setParameter('newSince', newSince)
      .getRawOne<Record<string, string | number | null>>();
    return {
      total: Number(row?.total ?? 0),
      guides: Number(row?.guides ?? 0),
      suspended: Number(row?.suspended ?? 0),
      newLast7Days: Number(row?.newLast7Days ?? 0),
    };
  }

  private async countByStatus(entity: new () => object, alias: string): Promise<Counts> {
    const rows = await this.dataSource
      .createQueryBuilder(entity, alias)
      .select(`${alias}.status`, 'status')
      .addSelect('COUNT(*)', 'n')
      .groupBy(`${alias}.status`)
      .getRawMany<{ status: string; n: string | number }>();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /**
   * Pending reports, by table name: the reports module owns the table. Until that module
   * registers its entity there is nothing to count.
   */
  private async pendingReports(): Promise<number> {
    const known = this.dataSource.entityMetadatas.some((m) => m.tableName === REPORTS_TABLE);
    if (!known) return 0;
    const row = await this.dataSource
      .createQueryBuilder()
      .select('COUNT(*)', 'n')
      .from(REPORTS_TABLE, 'r')
      .where('r.status = :pending', { pending: 'pending' })
      .getRawOne<{ n: string | number }>();
    return Number(row?.n ?? 0);
  }
}
