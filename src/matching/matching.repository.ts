import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { decodeCursor, Page, toPage } from '../common/pagination/cursor';
import type { MatchingRole } from './dto/matching-request.dto';
import { MatchingRequest, MatchingStatus } from './entities/matching-request.entity';

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
