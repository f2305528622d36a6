import { Injectable } from '@nestjs/common';
import { ChatService } from '../chat/chat.service';
import { GuidesService } from '../guides/guides.service';
import { MatchingService } from '../matching/matching.service';
import { ReportsService } from '../reports/reports.service';
import { StoriesService } from '../stories/stories.service';
import { UsersService } from '../users/users.service';
import type { AdminStatsDto } from './dto/admin-stats.dto';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The numbers of GET /admin/stats: each module counts its own table (one grouped query
 * each), asked side by side.
 */
@Injectable()
export class AdminStatsService {
  constructor(
    private readonly users: UsersService,
    private readonly guides: GuidesService,
    private readonly stories: StoriesService,
    private readonly matching: MatchingService,
    private readonly reports: ReportsService,
    private readonly chat: ChatService,
  ) {}

  async stats(): Promise<AdminStatsDto> {
    // so `suspended` does not count suspensions whose time has run out
    await this.users.liftExpiredSuspensions();
    const now = Date.now();
    const [users, guides, stories, matching, reports, messages] = await Promise.all([
      this.users.counts(new Date(now - 7 * DAY_MS)),
      this.guides.countByStatus(),
      this.stories.countByStatus(),
      this.matching.countByStatus(),
      this.reports.countPending(),
      this.chat.countMessagesSince(new Date(now - DAY_MS)),
    ]);
    return {
      users,
      guides: { pending: guides.get('pending') ?? 0, approved: guides.get('approved') ?? 0 },
      stories: { published: stories.get('published') ?? 0, hidden: stories.get('hidden') ?? 0 },
      matching: {
        pending: matching.get('pending') ?? 0,
        accepted: matching.get('accepted') ?? 0,
        completed: matching.get('completed') ?? 0,
        rejected: matching.get('rejected') ?? 0,
        cancelled: matching.get('cancelled') ?? 0,
      },
      reports: { pending: reports },
      chat: { messagesLast24h: messages },
    };
  }
}
