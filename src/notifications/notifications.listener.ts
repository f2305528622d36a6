import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { GuideDecisionEvent } from '../guides/guides.events';
import {
  MatchingAcceptedEvent,
  MatchingCancelledEvent,
  MatchingCompletedEvent,
  MatchingEvent,
  MatchingExpiredEvent,
  MatchingRejectedEvent,
  MatchingRequestedEvent,
  MatchingReviewReminderEvent,
  MatchingTripReminderEvent,
  ReviewCreatedEvent,
} from '../matching/matching.events';
import { CommentCreatedEvent } from '../stories/stories.events';
import { StoriesService } from '../stories/stories.service';
import { UserWithdrawnEvent } from '../users/users.events';
import { UsersService } from '../users/users.service';
import { ContentHiddenEvent } from '../stories/stories.events';
import { NotificationsService } from './notifications.service';
import { DevicesService } from './push/devices.service';
import { NotificationSettingsService } from './push/notification-settings.service';

const withReason = (text: string, reason: string | null) =>
  reason ? `${text} 사유: ${reason}` : text;

/**
 * Turns domain events of other modules into notifications (texts in Korean, the product's
 * language). Who is notified:
 * - matching.requested → the guide; accepted / rejected → the traveller; cancelled / completed
 *   → every participant but the one who acted (the other one; both if an admin acted, or the
 *   clock: an automatic completion).
 * - the lifecycle (docs/api.md, Lifecycle): matching.expired → the traveller; matching.trip-reminder → both;
 *   matching.review-reminder → the traveller.
 * - review.created → the guide.
 * - comment.created → a top-level comment: the story's owner (COMMENT_CREATED). A reply: the
 *   parent comment's author (COMMENT_REPLIED) and the story's owner (COMMENT_CREATED) unless the
 *   owner wrote the parent (one notification per person per comment). Nobody is notified of
 *   their own comment.
 * - GuideDecisionEvent (approved / rejected) → the applicant, with the reason.
 * - content.hidden → the author of the hidden story or comment, with the reason.
 * - user.withdrawn → the user's notifications, devices and push settings are deleted.
 *
 * A listener never throws: the emitting request has already done its work (and some emitters
 * await their listeners), so a failed notification is logged, not passed on.
 */
@Injectable()
export class NotificationsListener {
  private readonly logger = new Logger(NotificationsListener.name);

  constructor(
    private readonly notifications: NotificationsService,
    private readonly users: UsersService,
    private readonly stories: StoriesService,
    private readonly devices: DevicesService,
    private readonly settings: NotificationSettingsService,
  ) {}

  @OnEvent(MatchingRequestedEvent.NAME)
  async onMatchingRequested(e: MatchingEvent): Promise<void> {
    await this.safely(MatchingRequestedEvent.NAME, async () => {
      if (e.guideUserId === e.actorId) return;
      const traveller = await this.nickname(e.travelerId, '여행자');
      await this.notifications.notify(
        e.guideUserId,
        'MATCHING_REQUESTED',
        '새 매칭 요청',
        `${traveller}님이 "${e.storyTitle}" 스토리에 매칭을 요청했어요.`,
        matchingData(e),
        e.actorId,
      );
    });
  }

  @OnEvent(MatchingAcceptedEvent.NAME)
  async onMatchingAccepted(e: MatchingEvent): Promise<void> {
    await this.safely(MatchingAcceptedEvent.NAME, async () => {
      if (e.travelerId === e.actorId) return;
      await this.notifications.notify(
        e.travelerId,
        'MATCHING_ACCEPTED',
        '매칭 수락',
        `"${e.storyTitle}" 매칭 요청이 수락됐어요. 채팅방에서 가이드와 일정을 이야기해 보세요.`,
        matchingData(e),
        e.actorId,
      );
    });
  }

  @OnEvent(MatchingRejectedEvent.NAME)
  async onMatchingRejected(e: MatchingEvent): Promise<void> {
    await this.safely(MatchingRejectedEvent.NAME, async () => {
      if (e.travelerId === e.actorId) return;
      await this.notifications.notify(
        e.travelerId,
        'MATCHING_REJECTED',
        '매칭 거절',
        withReason(`"${e.storyTitle}" 매칭 요청이 거절됐어요.`, e.reason),
        matchingData(e),
        e.actorId,
      );
    });
  }

  @OnEvent(MatchingCancelledEvent.NAME)
  async onMatchingCancelled(e: MatchingEvent): Promise<void> {
    await this.safely(MatchingCancelledEvent.NAME, async () => {
      for (const userId of othersThanActor(e)) {
        await this.notifications.notify(
          userId,
          'MATCHING_CANCELLED',
          '매칭 취소',
          withReason(`"${e.storyTitle}" 매칭이 취소됐어요.`, e.reason),
          matchingData(e),
          e.actorId,
        );
      }
    });
  }

  @OnEvent(MatchingCompletedEvent.NAME)
  async onMatchingCompleted(e: MatchingEvent): Promise<void> {
    await this.safely(MatchingCompletedEvent.NAME, async () => {
      for (const userId of othersThanActor(e)) {
        const ask = userId === e.travelerId ? ' 가이드에게 리뷰를 남겨 주세요.' : '';
        await this.notifications.notify(
          userId,
          'MATCHING_COMPLETED',
          '여행 완료',
          `"${e.storyTitle}" 매칭이 완료됐어요.${ask}`,
          matchingData(e),
          e.actorId,
        );
      }
    });
  }

  @OnEvent(MatchingExpiredEvent.NAME)
  async onMatchingExpired(e: MatchingEvent): Promise<void> {
    await this.safely(MatchingExpiredEvent.NAME, async () => {
      await this.notifications.notify(
        e.travelerId,
        'MATCHING_EXPIRED',
        '매칭 요청 만료',
        `"${e.storyTitle}" 매칭 요청이 기한 안에 답을 받지 못해 만료됐어요.`,
        matchingData(e),
      );
    });
  }

  @OnEvent(MatchingTripReminderEvent.NAME)
  async onTripReminder(e: MatchingEvent): Promise<void> {
    await this.safely(MatchingTripReminderEvent.NAME, async () => {
      for (const userId of [e.travelerId, e.guideUserId]) {
        await this.notifications.notify(
          userId,
          'TRIP_REMINDER',
          '여행이 곧 시작돼요',
          `"${e.storyTitle}" 여행이 다가왔어요. 채팅방에서 만날 시간과 장소를 확인해 보세요.`,
          matchingData(e),
        );
      }
    });
  }

  @OnEvent(MatchingReviewReminderEvent.NAME)
  async onReviewReminder(e: MatchingEvent): Promise<void> {
    await this.safely(MatchingReviewReminderEvent.NAME, async () => {
      await this.notifications.notify(
        e.travelerId,
        'REVIEW_REMINDER',
        '리뷰를 남겨 주세요',
        `"${e.storyTitle}" 여행은 어떠셨나요? 가이드에게 리뷰를 남겨 주세요.`,
        matchingData(e),
      );
    });
  }

  @OnEvent(ReviewCreatedEvent.NAME)
  async onReviewCreated(e: ReviewCreatedEvent): Promise<void> {
    await this.safely(ReviewCreatedEvent.NAME, async () => {
      if (e.guideUserId === e.travelerId) return;
      const traveller = await this.nickname(e.travelerId, '여행자');
      await this.notifications.notify(
        e.guideUserId,
        'REVIEW_CREATED',
        '새 리뷰',
        `${traveller}님이 별점 ${e.rating}점의 리뷰를 남겼어요.`,
        { reviewId: e.reviewId, requestId: e.requestId, guideId: e.guideId },
        e.travelerId,
      );
    });
  }

  @OnEvent(CommentCreatedEvent.NAME)
  async onCommentCreated(e: CommentCreatedEvent): Promise<void> {
    await this.safely(CommentCreatedEvent.NAME, async () => {
      const replyTo = e.parentId !== null ? e.parentAuthorId : null;
      const notifyReply = replyTo !== null && replyTo !== e.authorId;
      const notifyOwner = e.storyOwnerId !== e.authorId && e.storyOwnerId !== replyTo;
      if (!notifyReply && !notifyOwner) return;
      const [author, title] = await Promise.all([
        this.nickname(e.authorId, '누군가'),
        this.storyTitle(e.storyOwnerId, e.storyId),
      ]);
      const data = { storyId: e.storyId, commentId: e.commentId, parentId: e.parentId };
      if (notifyReply && replyTo !== null) {
        await this.notifications.notify(
          replyTo,
          'COMMENT_REPLIED',
          '새 답글',
          `${author}님이 "${title}" 스토리의 내 댓글에 답글을 남겼어요.`,
          data,
          e.authorId,
        );
      }
      if (notifyOwner) {
        await this.notifications.notify(
          e.storyOwnerId,
          'COMMENT_CREATED',
          '새 댓글',
          `${author}님이 "${title}" 스토리에 댓글을 남겼어요.`,
          data,
          e.authorId,
        );
      }
    });
  }

  @OnEvent(GuideDecisionEvent.APPROVED)
  async onGuideApproved(e: GuideDecisionEvent): Promise<void> {
    await this.safely(GuideDecisionEvent.APPROVED, async () => {
      await this.notifications.notify(
        e.userId,
        'GUIDE_APPROVED',
        '가이드 승인',
        '가이드 신청이 승인됐어요. 이제 스토리를 올리고 매칭 요청을 받을 수 있어요.',
        { guideId: e.guideId },
      );
    });
  }

  @OnEvent(GuideDecisionEvent.REJECTED)
  async onGuideRejected(e: GuideDecisionEvent): Promise<void> {
    await this.safely(GuideDecisionEvent.REJECTED, async () => {
      await this.notifications.notify(
        e.userId,
        'GUIDE_REJECTED',
        '가이드 신청 반려',
        withReason('가이드 신청이 반려됐어요.', e.reason),
        { guideId: e.guideId },
      );
    });
  }

  @OnEvent(ContentHiddenEvent.NAME)
  async onContentHidden(e: ContentHiddenEvent): Promise<void> {
    await this.safely(ContentHiddenEvent.NAME, async () => {
      const what = e.targetType === 'story' ? '스토리가' : '댓글이';
      await this.notifications.notify(
        e.userId,
        'CONTENT_HIDDEN',
        '콘텐츠 숨김',
        withReason(`회원님의 ${what} 운영 정책에 따라 숨김 처리됐어요.`, e.reason),
        { targetType: e.targetType, targetId: e.targetId },
      );
    });
  }

  @OnEvent(UserWithdrawnEvent.NAME)
  async onUserWithdrawn(e: UserWithdrawnEvent): Promise<void> {
    await this.safely(UserWithdrawnEvent.NAME, async () => {
      await this.notifications.removeAllOf(e.userId);
      await this.devices.removeAllOf(e.userId);
      await this.settings.removeAllOf(e.userId);
    });
  }

  private async safely(event: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.error(
        `notification for ${event} failed: ${(error as Error).message}`,
        (error as Error).stack,
      );
    }
  }

  /** The user's nickname for a text; a withdrawn or unknown user gets `fallback`. */
  private async nickname(userId: number, fallback: string): Promise<string> {
    try {
      return (await this.users.getPublic(userId)).nickname;
    } catch {
      return fallback;
    }
  }

  /** The story's title as its owner sees it (the owner sees hidden stories too). */
  private async storyTitle(ownerId: number, storyId: number): Promise<string> {
    const owner = { id: ownerId, role: 'user', status: 'active' } as const;
    try {
      return (await this.stories.requireVisible(owner, storyId)).title;
    } catch {
      return '스토리';
    }
  }
}

function matchingData(e: MatchingEvent) {
  return { requestId: e.requestId, storyId: e.storyId, chatRoomId: e.chatRoomId };
}

/** The participants other than the actor: the other one, or both when someone else acted. */
function othersThanActor(e: MatchingEvent): number[] {
  return [e.travelerId, e.guideUserId].filter((id) => id !== e.actorId);
}
