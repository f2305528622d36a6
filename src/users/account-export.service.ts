import { Injectable, Logger } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { ChatService } from '../chat/chat.service';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { writeJsonDocument } from '../common/streaming/json-document';
import { GuidesService } from '../guides/guides.service';
import { MatchingService } from '../matching/matching.service';
import { ReviewsService } from '../matching/reviews.service';
import { NotificationsService } from '../notifications/notifications.service';
import { DevicesService } from '../notifications/push/devices.service';
import { NotificationSettingsService } from '../notifications/push/notification-settings.service';
import { ReportsService } from '../reports/reports.service';
import { CommentsService } from '../stories/comments.service';
import { StoriesService } from '../stories/stories.service';
import { BlocksService } from './blocks.service';
import { UsersService } from './users.service';

/** One export per user per hour (docs/api.md, Blocking and account rights). */
export const EXPORT_EVERY_MS = 60 * 60 * 1000;

/**
 * Everything stored about a user, as one JSON document (docs/api.md, Blocking and account rights, the right to see one's
 * data): each module hands over its rows of the user, and lists are streamed page by page.
 * Of other people only what the user's own rows point at shows: ids, and the nickname of
 * the traveller of a review the user received.
 */
@Injectable()
export class AccountExportService {
  private readonly logger = new Logger(AccountExportService.name);

  constructor(
    private readonly users: UsersService,
    private readonly blocks: BlocksService,
    private readonly guides: GuidesService,
    private readonly stories: StoriesService,
    private readonly comments: CommentsService,
    private readonly matching: MatchingService,
    private readonly reviews: ReviewsService,
    private readonly chat: ChatService,
    private readonly reports: ReportsService,
    private readonly notifications: NotificationsService,
    private readonly devices: DevicesService,
    private readonly notificationSettings: NotificationSettingsService,
  ) {}

  /**
   * Takes the user's hourly export: 429 RATE_LIMITED (with Retry-After) when the user exported
   * within the last hour. Returns when it was taken, for {@link giveBack}.
   */
  async begin(user: AuthUser): Promise<Date> {
    const slot = await this.users.takeExportSlot(user.id, EXPORT_EVERY_MS);
    if (slot.takenAt === null) {
      throw new DomainException(
        'RATE_LIMITED',
        'Your data can be exported once an hour; try again later',
      ).retryAfter(slot.waitSeconds);
    }
    return slot.takenAt;
  }

  /**
   * An export that failed on our side does not count: the user may ask again at once. (One the
   * client left does count, or reading all but the last byte would get past the limit.)
   */
  async giveBack(user: AuthUser, takenAt: Date): Promise<void> {
    await this.users.releaseExportSlot(user.id, takenAt).catch((error: unknown) => {
      this.logger.warn(
        `Could not give user ${user.id} back their export slot: ${(error as Error).message}`,
      );
    });
  }

  /** Writes the document to `out`; the caller has called {@link begin}. */
  async write(user: AuthUser, out: Writable): Promise<void> {
    const guide = await this.guides.getMine(user).catch((error: unknown) => {
      if (error instanceof DomainException && error.code === 'NOT_FOUND') return null;
      throw error;
    });
    await writeJsonDocument(out, {
      exportedAt: async () => new Date().toISOString(),
      profile: () => this.users.exportProfile(user.id),
      guideProfile: async () => guide,
      stories: () => this.stories.exportStoriesOf(user),
      comments: () => this.comments.exportOf(user.id),
      likes: () => this.stories.exportReactionsOf(user.id, 'likes'),
      bookmarks: () => this.stories.exportReactionsOf(user.id, 'bookmarks'),
      matchingRequests: () => this.requestsOf(user.id),
      chatMessagesSent: () => this.chat.exportSentBy(user.id),
      reviewsGiven: () => this.reviews.exportOf({ travelerId: user.id }),
      reviewsReceived: () => this.reviewsReceivedBy(guide?.id ?? null),
      reportsFiled: () => this.reports.exportFiledBy(user.id),
      notifications: () => this.notifications.exportOf(user.id),
      notificationSettings: () => this.notificationSettings.of(user.id),
      devices: () => this.devices.exportOf(user.id),
      blocks: () => this.blocks.exportMadeBy(user.id),
    });
    this.logger.log(`Data export written for user ${user.id}`);
  }

  /** The user's matching requests; of the other party only what the request shows: id, nickname. */
  private async *requestsOf(userId: number): AsyncGenerator<object> {
    const person = (id: number, nickname: string) => ({ id, nickname });
    for await (const request of this.matching.exportOf(userId)) {
      yield {
        ...request,
        traveler: person(request.traveler.id, request.traveler.nickname),
        guide: {
          ...person(request.guide.userId, request.guide.nickname),
          guideId: request.guide.id,
        },
      };
    }
  }

  /** Reviews of the user as a guide; of the traveller only what is public: id and nickname. */
  private async *reviewsReceivedBy(guideId: number | null): AsyncGenerator<object> {
    if (guideId === null) return;
    for await (const review of this.reviews.exportOf({ guideId })) {
      yield { ...review, traveler: { id: review.traveler.id, nickname: review.traveler.nickname } };
    }
  }
}
