import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ChatService } from '../chat/chat.service';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { addDays, dateIn } from '../common/time/zoned';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import type { Page } from '../common/pagination/cursor';
import { pagesOfIds } from '../common/streaming/json-document';
import { isUniqueViolation } from '../database/sql';
import { runInTransaction } from '../database/transaction';
import { GuidesService } from '../guides/guides.service';
import type { Story } from '../stories/entities/story.entity';
import { StoriesService } from '../stories/stories.service';
import { UserBlockedEvent } from '../users/users.events';
import type { User } from '../users/entities/user.entity';
import {
  CreateMatchingRequestDto,
  MAX_DAYS_AHEAD,
  ListMatchingRequestsQueryDto,
  MatchingRequestDto,
  RejectMatchingRequestDto,
} from './dto/matching-request.dto';
import { MatchingRequest, MatchingStatus } from './entities/matching-request.entity';
import {
  MatchingAcceptedEvent,
  MatchingCancelledEvent,
  MatchingCompletedEvent,
  MatchingEvent,
  MatchingRejectedEvent,
  MatchingRequestedEvent,
} from './matching.events';
import { MatchingRepository } from './matching.repository';

type EventClass = new (
  ...args: ConstructorParameters<typeof MatchingRequestedEvent>
) => MatchingEvent;

/** Who may make a transition: the story's guide, the traveller, or either of them. */
type Actor = 'guide' | 'traveler' | 'participant';

interface Transition {
  actor: Actor;
  from: readonly MatchingStatus[];
  to: MatchingStatus;
  /** Columns set with the status (besides `open_key`). */
  set: (now: Date) => Partial<MatchingRequest>;
  /** More work in the same transaction, after the status changed. */
  alsoInTransaction?: (manager: EntityManager, request: MatchingRequest) => Promise<void>;
  event: EventClass & { NAME: string };
  reason?: string | null;
}

function notFound(): DomainException {
  return new DomainException('NOT_FOUND', 'Matching request not found');
}

function invalidState(status: MatchingStatus | undefined, to: MatchingStatus): DomainException {
  return new DomainException(
    'MATCHING_INVALID_STATE',
    `A ${status ?? 'missing'} request cannot become ${to}`,
    { status: status ?? null },
  );
}

/**
 * Matching requests: a traveller asks the guide of a story for a trip; the guide accepts (a
 * chat room opens) or rejects; the traveller may cancel; either completes it after the trip.
 */
@Injectable()
export class MatchingService {
  private readonly timeZone: string;

  constructor(
    @InjectConfig() config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queries: MatchingRepository,
    private readonly stories: StoriesService,
    private readonly guides: GuidesService,
    private readonly chat: ChatService,
    private readonly events: EventEmitter2,
  ) {
    this.timeZone = config.lifecycle.timeZone;
  }

  /** From today to MAX_DAYS_AHEAD days ahead, in the service's zone, where it also expires. */
  private checkDesiredDate(date: string): void {
    const today = dateIn(new Date(), this.timeZone);
    if (date >= today && date <= addDays(today, MAX_DAYS_AHEAD)) return;
    const message = `desiredDate must be from today (${today} in ${this.timeZone}) to ${MAX_DAYS_AHEAD} days ahead`;
    throw new DomainException('VALIDATION_FAILED', message, [
      { field: 'desiredDate', errors: [message] },
    ]);
  }

  // ---- access -------------------------------------------------------------------------------

  /**
   * The request when the caller takes part in it (traveller or the story's guide) or is an
   * admin; anyone else gets 404 so existence does not leak.
   */
  async requireParticipant(user: AuthUser, requestId: number): Promise<MatchingRequest> {
    const request = await this.queries.findById(requestId);
    if (!request) throw notFound();
    const involved = request.travelerId === user.id || request.guideUserId === user.id;
    if (!involved && user.role !== 'admin') throw notFound();
    return request;
  }

  private checkActor(user: AuthUser, request: MatchingRequest, actor: Actor): void {
    const allowed =
      actor === 'guide'
        ? request.guideUserId === user.id
        : actor === 'traveler'
          ? request.travelerId === user.id
          : request.guideUserId === user.id || request.travelerId === user.id;
    if (!allowed) {
      const who =
        actor === 'guide'
          ? "the story's guide"
          : actor === 'traveler'
            ? 'the traveller'
            : 'the traveller or the guide';
      throw new DomainException('FORBIDDEN', `Only ${who} may do this`);
    }
  }

  // ---- create -------------------------------------------------------------------------------

  /**
   * A new pending request. The story must be published and its guide approved (a suspended
   * guide's stories take no requests: 404, as their profile is 404 too).
   */
  async create(user: AuthUser, dto: CreateMatchingRequestDto): Promise<MatchingRequestDto> {
    this.checkDesiredDate(dto.desiredDate);
    const story = await this.requirePublishedStory(user, dto.storyId);
    if (story.userId === user.id) {
      throw new DomainException('MATCHING_OWN_STORY', 'You cannot request your own story');
    }
    const guide = await this.guides
      .requireVisible(undefined, story.guideId)
      .catch((error: unknown) => {
        throw error instanceof DomainException && error.code === 'NOT_FOUND'
          ? new DomainException('NOT_FOUND', 'Story not found')
          : error;
      });
    let requestId: number;
    try {
      requestId = await runInTransaction(this.dataSource, (manager) =>
        this.queries.insertPending(manager, {
          storyId: story.id,
          guideId: guide.id,
          guideUserId: story.userId,
          travelerId: user.id,
          desiredDate: dto.desiredDate,
          desiredTime: dto.desiredTime ?? null,
          partySize: dto.partySize ?? 1,
          message: dto.message ?? '',
        }),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new DomainException(
        'MATCHING_DUPLICATE',
        'You already have an open (pending or accepted) request for this story',
      );
    }
    const created = await this.detail(user, requestId);
    await this.emit(MatchingRequestedEvent, created, user.id, null);
    return created;
  }

  private async requirePublishedStory(user: AuthUser, storyId: number): Promise<Story> {
    const story = await this.stories.requireVisible(user, storyId);
    // owners and admins can see hidden stories, but only published ones take requests
    if (story.status !== 'published') throw new DomainException('NOT_FOUND', 'Story not found');
    return story;
  }

  // ---- transitions --------------------------------------------------------------------------

  /** pending → accepted by the story's (approved) guide; opens the chat room, marks the story. */
  async accept(user: AuthUser, requestId: number): Promise<MatchingRequestDto> {
    return this.transition(user, requestId, {
      actor: 'guide',
      from: ['pending'],
      to: 'accepted',
      set: (now) => ({ respondedAt: now }),
      alsoInTransaction: async (manager, request) => {
        // the story row is locked (X) before the room's insert checks its foreign key on it
        // (S): two accepts on one story then queue instead of deadlocking. Its updated_at
        // stays: being matched is no edit of the story.
        if (!(await this.stories.markMatched(manager, request.storyId))) {
          // hidden or deleted since the request was made: nothing to meet over (rolls back)
          throw new DomainException(
            'MATCHING_INVALID_STATE',
            'The story is no longer published, so the request cannot be accepted',
            { status: request.status },
          );
        }
        const chatRoomId = await this.chat.openRoomForRequest(manager, {
          matchingRequestId: request.id,
          storyId: request.storyId,
          travelerId: request.travelerId,
          guideUserId: request.guideUserId,
        });
        await this.queries.setChatRoom(manager, request.id, chatRoomId);
      },
      event: MatchingAcceptedEvent,
    });
  }

  /** pending → rejected by the story's guide, with an optional reason for the traveller. */
  async reject(
    user: AuthUser,
    requestId: number,
    dto: RejectMatchingRequestDto,
  ): Promise<MatchingRequestDto> {
    const reason = dto.reason ? dto.reason : null;
    return this.transition(user, requestId, {
      actor: 'guide',
      from: ['pending'],
      to: 'rejected',
      set: (now) => ({ respondedAt: now, rejectReason: reason }),
      event: MatchingRejectedEvent,
      reason,
    });
  }

  /** pending/accepted → cancelled by the traveller; an open chat room becomes read-only. */
  async cancel(user: AuthUser, requestId: number): Promise<MatchingRequestDto> {
    return this.transition(user, requestId, {
      actor: 'traveler',
      from: ['pending', 'accepted'],
      to: 'cancelled',
      set: (now) => ({ cancelledAt: now, cancelledBy: user.id }),
      alsoInTransaction: async (manager, request) => {
        // read again: an accept may have committed after the request was first loaded
        const current = await this.queries.findById(request.id, manager);
        if (current?.chatRoomId != null) {
          await this.chat.closeRoomForRequest(manager, request.id);
        }
      },
      event: MatchingCancelledEvent,
    });
  }

  /** accepted → completed by either participant. */
  async complete(user: AuthUser, requestId: number): Promise<MatchingRequestDto> {
    return this.transition(user, requestId, {
      actor: 'participant',
      from: ['accepted'],
      to: 'completed',
      set: (now) => ({ completedAt: now }),
      event: MatchingCompletedEvent,
    });
  }

  /**
   * One state change: access (404 for outsiders, 403 for the wrong participant), then a
   * conditional update checked by affected rows, so of concurrent transitions exactly one
   * wins and the others get 409; side work in the same transaction; the event after commit.
   */
  private async transition(
    user: AuthUser,
    requestId: number,
    t: Transition,
  ): Promise<MatchingRequestDto> {
    const request = await this.requireParticipant(user, requestId);
    this.checkActor(user, request, t.actor);
    if (!t.from.includes(request.status)) throw invalidState(request.status, t.to);
    if (t.to === 'accepted') await this.guides.requirePublisher(user);
    await runInTransaction(this.dataSource, async (manager) => {
      const moved = await this.queries.moveStatus(
        manager,
        request,
        t.from,
        t.to,
        t.set(new Date()),
      );
      if (!moved) {
        const current = await this.queries.findById(requestId, manager);
        throw invalidState(current?.status, t.to);
      }
      await t.alsoInTransaction?.(manager, request);
    });
    const dto = await this.detail(user, requestId);
    await this.emit(t.event, dto, user.id, t.reason ?? null);
    return dto;
  }

  /**
   * Tells the listeners after the commit and waits for them, so the answer comes once the
   * notifications are stored (listeners never throw; push delivery runs as a job).
   */
  private async emit(
    event: EventClass & { NAME: string },
    request: MatchingRequestDto,
    actorId: number,
    reason: string | null,
  ): Promise<void> {
    await this.events.emitAsync(
      event.NAME,
      new event(
        request.id,
        request.story.id,
        request.story.title,
        request.traveler.id,
        request.guide.userId,
        actorId,
        request.chatRoomId,
        reason,
      ),
    );
  }

  /** docs/api.md, Blocking and account rights: a block cancels the pending requests between the two, without notifying. */
  @OnEvent(UserBlockedEvent.NAME, { promisify: true })
  async onUserBlocked(event: UserBlockedEvent): Promise<void> {
    await runInTransaction(this.dataSource, (manager) =>
      this.queries.cancelPendingBetween(manager, event.blockerId, event.blockedId),
    );
  }

  // ---- reads --------------------------------------------------------------------------------

  /** The requests the user made or received, for their data export (docs/api.md, Blocking and account rights). */
  async *exportOf(userId: number): AsyncGenerator<MatchingRequestDto> {
    for await (const page of pagesOfIds((after) =>
      this.queries.involvingAfter(userId, after, 100),
    )) {
      yield* await this.toDtos(page);
    }
  }

  /**
   * Tells the listeners of a time-driven change (docs/api.md, Lifecycle): no user acted, so the event's
   * actor is 0 and both participants count as "others".
   */
  async announce(event: EventClass & { NAME: string }, requestId: number): Promise<void> {
    const [dto] = await this.toDtos([requestId]);
    if (dto) await this.emit(event, dto, 0, null);
  }

  /** accepted → completed by the clock (docs/api.md, Lifecycle), once. */
  async completeByTime(requestId: number, at: Date): Promise<boolean> {
    const request = await this.queries.findById(requestId);
    if (!request) return false;
    return runInTransaction(this.dataSource, (manager) =>
      this.queries.moveStatus(manager, request, ['accepted'], 'completed', { completedAt: at }),
    );
  }

  /** Completed requests of a guide, shown on the guide's profile. */
  countCompletedByGuide(guideId: number): Promise<number> {
    return this.queries.countCompletedByGuide(guideId);
  }

  /** Requests per status, for the admin dashboard. */
  countByStatus(): Promise<Map<MatchingStatus, number>> {
    return this.queries.countByStatus();
  }

  async detail(user: AuthUser, requestId: number): Promise<MatchingRequestDto> {
    await this.requireParticipant(user, requestId);
    const [dto] = await this.toDtos([requestId]);
    if (!dto) throw notFound();
    return dto;
  }

  async list(
    user: AuthUser,
    query: ListMatchingRequestsQueryDto,
  ): Promise<Page<MatchingRequestDto>> {
    const page = await this.queries.page(
      { userId: user.id, role: query.role, status: query.status },
      query.limit,
      query.cursor,
    );
    return { items: await this.toDtos(page.items), nextCursor: page.nextCursor };
  }

  /** Response shapes for the given ids, in a fixed number of queries whatever the count. */
  private async toDtos(ids: number[]): Promise<MatchingRequestDto[]> {
    const requests = await this.queries.findWithPeople(ids);
    const storyIds = [...new Set(requests.map((r) => r.storyId))];
    const summaries = await this.stories.summariesByIds(undefined, storyIds);
    const storyOf = new Map(summaries.map((s) => [s.id, s]));
    return requests.map((r) => {
      const story = storyOf.get(r.storyId);
      const traveler = r.traveler as User;
      const guideUser = r.guideUser as User;
      return {
        id: r.id,
        status: r.status,
        story: {
          id: r.storyId,
          title: story?.title ?? '',
          thumbnailUrl: story?.thumbnailUrl ?? null,
        },
        traveler: {
          id: traveler.id,
          nickname: traveler.nickname,
          profileImageUrl: traveler.profileImageUrl,
        },
        guide: {
          id: r.guideId,
          userId: guideUser.id,
          nickname: guideUser.nickname,
          profileImageUrl: guideUser.profileImageUrl,
        },
        desiredDate: r.desiredDate,
        desiredTime: r.desiredTime,
        partySize: r.partySize,
        message: r.message,
        rejectReason: r.rejectReason,
        chatRoomId: r.chatRoomId,
        createdAt: r.createdAt.toISOString(),
        respondedAt: r.respondedAt?.toISOString() ?? null,
        completedAt: r.completedAt?.toISOString() ?? null,
        expiredAt: r.expiredAt?.toISOString() ?? null,
      };
    });
  }
}
