import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { decodeCursor, Page, toPage } from '../common/pagination/cursor';
import type { MatchingRole } from './dto/matching-request.dto';
import {
  MatchingRequest,
  MatchingStatus,
  OPEN_MATCHING_STATUSES,
  openKeyOf,
} from './entities/matching-request.entity';

export interface MatchingFilter {
  userId: number;
  role?: MatchingRole;
  status?: MatchingStatus;
}

/** Matching request queries beyond simple finds: pages and loads with the people involved. */
@Injectable()
export class MatchingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get requests() {
    return this.dataSource.getRepository(MatchingRequest);
  }

  findById(id: number, manager?: EntityManager): Promise<MatchingRequest | null> {
    return (manager ?? this.dataSource.manager).findOneBy(MatchingRequest, { id });
  }

  /** A new pending request; the unique open key refuses a second open one (same traveller and story). */
  async insertPending(
    manager: EntityManager,
    fields: Pick<
      MatchingRequest,
      | 'storyId'
      | 'guideId'
      | 'guideUserId'
      | 'travelerId'
      | 'desiredDate'
      | 'desiredTime'
      | 'partySize'
      | 'message'
    >,
  ): Promise<number> {
    const now = new Date();
    const inserted = await manager.insert(MatchingRequest, {
      ...fields,
      status: 'pending',
      openKey: openKeyOf(fields.travelerId, fields.storyId),
      rejectReason: null,
      chatRoomId: null,
      cancelledBy: null,
      respondedAt: null,
      completedAt: null,
      cancelledAt: null,
      // set here, not by the column default: SQLite's default has whole seconds only
      createdAt: now,
      updatedAt: now,
    });
    return Number((inserted.identifiers[0] as { id: number }).id);
  }

  /**
   * Moves a request to `to` from one of `from` (a conditional update: of concurrent
   * transitions exactly one changes the row), with the columns that go with it. False when
   * the request was not in `from` any more.
   */
  async moveStatus(
    manager: EntityManager,
    request: Pick<MatchingRequest, 'id' | 'travelerId' | 'storyId'>,
    from: readonly MatchingStatus[],
    to: MatchingStatus,
    set: Partial<MatchingRequest>,
  ): Promise<boolean> {
    const now = new Date();
    const result = await manager
      .createQueryBuilder()
      .update(MatchingRequest)
      .set({
        ...set,
        status: to,
        openKey: OPEN_MATCHING_STATUSES.includes(to)
          ? openKeyOf(request.travelerId, request.storyId)
          : null,
        updatedAt: now,
      })
      .where('id = :id AND status IN (:...from)', { id: request.id, from })
      .updateEntity(false)
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Cancels the pending requests between two users, either way round (a block between
   * them): no event, so nobody is notified. How many were cancelled.
   */
  async cancelPendingBetween(manager: EntityManager, a: number, b: number): Promise<number> {
    const now = new Date();
    const result = await manager
      .createQueryBuilder()
      .update(MatchingRequest)
      .set({ status: 'cancelled', openKey: null, cancelledAt: now, cancelledBy: a, updatedAt: now })
      .where('status = :pending', { pending: 'pending' })
      .andWhere(
        '((traveler_id = :a AND guide_user_id = :b) OR (traveler_id = :b AND guide_user_id = :a))',
        { a, b },
      )
      .updateEntity(false)
      .execute();
    return result.affected ?? 0;
  }

  /** Ids of the requests the user takes part in (either side), after `afterId`, in order. */
  async involvingAfter(userId: number, afterId: number, limit: number): Promise<{ id: number }[]> {
    const rows = await this.requests
      .createQueryBuilder('r')
      .select('r.id', 'id')
      .where('(r.traveler_id = :userId OR r.guide_user_id = :userId) AND r.id > :afterId', {
        userId,
        afterId,
      })
      .orderBy('r.id', 'ASC')
      .limit(limit)
      .getRawMany<{ id: number | string }>();
    return rows.map((r) => ({ id: Number(r.id) }));
  }

  // ---- the time-driven lifecycle (docs/api.md, Lifecycle): due rows, then one conditional update each --------

  /** Pending requests made before `createdBefore`, or whose desired date is before `today`. */
  async duePendingExpiry(createdBefore: Date, today: string, limit: number): Promise<number[]> {
    return this.ids(
      this.requests
        .createQueryBuilder('r')
        .select('r.id', 'id')
        .where('r.status = :pending', { pending: 'pending' })
        .andWhere('(r.created_at <= :createdBefore OR r.desired_date < :today)', {
          createdBefore,
          today,
        })
        .orderBy('r.id', 'ASC')
        .limit(limit),
    );
  }

  /** pending → expired, once. */
  async expire(manager: EntityManager, id: number, at: Date): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(MatchingRequest)
      .set({ status: 'expired', openKey: null, expiredAt: at, updatedAt: at })
      .where('id = :id AND status = :pending', { id, pending: 'pending' })
      .updateEntity(false)
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Accepted requests not reminded yet whose desired date is on or before `untilDate`, the
   * soonest trip first.
   */
  dueTripReminders(
    untilDate: string,
    limit: number,
  ): Promise<Pick<MatchingRequest, 'id' | 'desiredDate' | 'desiredTime'>[]> {
    return (
      this.requests
        .createQueryBuilder('r')
        .select(['r.id', 'r.desiredDate', 'r.desiredTime'])
        .where('r.status = :accepted AND r.trip_reminded_at IS NULL', { accepted: 'accepted' })
        .andWhere('r.desired_date <= :untilDate', { untilDate })
        // soonest trips first: rows of the horizon's last day that are not due yet (their time
        // lies ahead) must not keep a due one out of the page
        .orderBy('r.desired_date', 'ASC')
        .addOrderBy('r.desired_time', 'ASC')
        .addOrderBy('r.id', 'ASC')
        .limit(limit)
        .getMany()
    );
  }

  /** Records the trip reminder, once (false when another run recorded it first). */
  async markTripReminded(manager: EntityManager, id: number, at: Date): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(MatchingRequest)
      .set({ tripRemindedAt: at, updatedAt: () => 'updated_at' })
      .where('id = :id AND status = :accepted AND trip_reminded_at IS NULL', {
        id,
        accepted: 'accepted',
      })
      .updateEntity(false)
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Accepted requests whose desired date is before `beforeDate`. */
  dueAutoComplete(beforeDate: string, limit: number): Promise<number[]> {
    return this.ids(
      this.requests
        .createQueryBuilder('r')
        .select('r.id', 'id')
        .where('r.status = :accepted AND r.desired_date < :beforeDate', {
          accepted: 'accepted',
          beforeDate,
        })
        .orderBy('r.id', 'ASC')
        .limit(limit),
    );
  }

  /**
   * Completed requests without a review and without a reminder, completed between
   * `completedAfter` (the review window still open) and `completedBefore`.
   */
  dueReviewReminders(
    completedBefore: Date,
    completedAfter: Date,
    limit: number,
  ): Promise<number[]> {
    return this.ids(
      this.requests
        .createQueryBuilder('r')
        .select('r.id', 'id')
        .where('r.status = :completed AND r.review_reminded_at IS NULL', {
          completed: 'completed',
        })
        .andWhere('r.completed_at <= :completedBefore AND r.completed_at > :completedAfter', {
          completedBefore,
          completedAfter,
        })
        .andWhere('NOT EXISTS (SELECT 1 FROM reviews rv WHERE rv.matching_request_id = r.id)')
        .orderBy('r.id', 'ASC')
        .limit(limit),
    );
  }

  /** Records the review reminder, once. */
  async markReviewReminded(manager: EntityManager, id: number, at: Date): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(MatchingRequest)
      .set({ reviewRemindedAt: at, updatedAt: () => 'updated_at' })
      .where('id = :id AND status = :completed AND review_reminded_at IS NULL', {
        id,
        completed: 'completed',
      })
      .updateEntity(false)
      .execute();
    return (result.affected ?? 0) > 0;
  }

  private async ids(qb: SelectQueryBuilder<MatchingRequest>): Promise<number[]> {
    const rows = await qb.getRawMany<{ id: number | string }>();
    return rows.map((r) => Number(r.id));
  }

  async setChatRoom(manager: EntityManager, requestId: number, chatRoomId: number): Promise<void> {
    await manager.update(MatchingRequest, { id: requestId }, { chatRoomId });
  }

  countCompletedByGuide(guideId: number): Promise<number> {
    return this.dataSource.manager.countBy(MatchingRequest, { guideId, status: 'completed' });
  }

  async countByStatus(): Promise<Map<MatchingStatus, number>> {
    const rows = await this.requests
      .createQueryBuilder('r')
      .select('r.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('r.status')
      .getRawMany<{ status: MatchingStatus; count: string | number }>();
    return new Map(rows.map((r) => [r.status, Number(r.count)]));
  }

  /** Requests with their traveller, guide user and guide profile, in the order of `ids`. */
  async findWithPeople(ids: number[]): Promise<MatchingRequest[]> {
    if (ids.length === 0) return [];
    const rows = await this.withPeople(this.requests.createQueryBuilder('r'))
      .where({ id: In(ids) })
      .getMany();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** The caller's sent and/or received requests, newest first, keyset-paged on the id. */
  async page(filter: MatchingFilter, limit: number, cursor?: string): Promise<Page<number>> {
    const qb = this.requests.createQueryBuilder('r').select('r.id', 'id');
    if (filter.role === 'traveler') {
      qb.where('r.traveler_id = :userId', { userId: filter.userId });
    } else if (filter.role === 'guide') {
      qb.where('r.guide_user_id = :userId', { userId: filter.userId });
    } else {
      qb.where(
        new Brackets((b) =>
          b
            .where('r.traveler_id = :userId', { userId: filter.userId })
            .orWhere('r.guide_user_id = :userId', { userId: filter.userId }),
        ),
      );
    }
    if (filter.status) qb.andWhere('r.status = :status', { status: filter.status });
    if (cursor) {
      const [id] = decodeCursor(cursor, ['id']);
      qb.andWhere('r.id < :cursorId', { cursorId: Number(id) });
    }
    const rows = await qb
      .orderBy('r.id', 'DESC')
      .limit(limit + 1)
      .getRawMany<{ id: number | string }>();
    return toPage(
      rows.map((r) => Number(r.id)),
      limit,
      (id) => [id],
      (id) => id,
    );
  }

  private withPeople(qb: SelectQueryBuilder<MatchingRequest>): SelectQueryBuilder<MatchingRequest> {
    return qb
      .innerJoin('r.traveler', 't')
      .addSelect(['t.id', 't.nickname', 't.profileImageUrl'])
      .innerJoin('r.guideUser', 'gu')
      .addSelect(['gu.id', 'gu.nickname', 'gu.profileImageUrl']);
  }
}
