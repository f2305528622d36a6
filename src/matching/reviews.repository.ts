import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { decodeCursor } from '../common/pagination/cursor';
import { noBlockBetween } from '../users/blocks.sql';
import { Review } from './entities/review.entity';

/** The reviews table. */
@Injectable()
export class ReviewsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  existsForRequest(matchingRequestId: number): Promise<boolean> {
    return this.dataSource.manager.existsBy(Review, { matchingRequestId });
  }

  /** Stores a review; the unique request id refuses a second one for the same request. */
  async insert(
    manager: EntityManager,
    fields: Pick<Review, 'matchingRequestId' | 'guideId' | 'travelerId' | 'rating' | 'content'>,
  ): Promise<number> {
    const inserted = await manager.insert(Review, { ...fields, createdAt: new Date() });
    return Number((inserted.identifiers[0] as { id: number }).id);
  }

  /** The guide's mean rating over every review, rounded to 2 decimals in SQL; 0 without any. */
  async averageRating(manager: EntityManager, guideId: number): Promise<number> {
    const row = await manager
      .createQueryBuilder(Review, 'rv')
      .select('COALESCE(ROUND(AVG(rv.rating), 2), 0)', 'average')
      .where('rv.guide_id = :guideId', { guideId })
      .getRawOne<{ average: string | number }>();
    return Number(row?.average ?? 0);
  }

  findWithTraveler(id: number): Promise<Review | null> {
    return this.withTraveler().where('r.id = :id', { id }).getOne();
  }

  /** A page (plus one row) of a guide's reviews with their authors, newest first. */
  pageForGuide(
    guideId: number,
    limit: number,
    cursor?: string,
    blockViewerId?: number,
  ): Promise<Review[]> {
    const qb = this.withTraveler()
      .where('r.guide_id = :guideId', { guideId })
      .orderBy('r.id', 'DESC')
      .limit(limit + 1);
    if (cursor) {
      const [id] = decodeCursor(cursor, ['id']);
      qb.andWhere('r.id < :cursorId', { cursorId: Number(id) });
    }
    if (blockViewerId !== undefined) {
      qb.andWhere(noBlockBetween('blockViewer', 'r.traveler_id'), { blockViewer: blockViewerId });
    }
    return qb.getMany();
  }

  /** Reviews written by a traveller, or about a guide, after `afterId`, in id order. */
  byAfter(
    by: { travelerId: number } | { guideId: number },
    afterId: number,
    limit: number,
  ): Promise<Review[]> {
    const qb = this.withTraveler().where('r.id > :afterId', { afterId });
    if ('travelerId' in by) qb.andWhere('r.traveler_id = :travelerId', by);
    else qb.andWhere('r.guide_id = :guideId', by);
    return qb.orderBy('r.id', 'ASC').limit(limit).getMany();
  }

  private withTraveler(): SelectQueryBuilder<Review> {
    return this.dataSource.manager
      .createQueryBuilder(Review, 'r')
      .innerJoin('r.traveler', 't')
      .addSelect(['t.id', 't.nickname', 't.profileImageUrl']);
  }
}
