import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Brackets,
  DataSource,
  EntityManager,
  In,
  SelectQueryBuilder,
  WhereExpressionBuilder,
} from 'typeorm';
import { CursorKind, decodeCursor, Page, toPage } from '../common/pagination/cursor';
import { noBlockBetween } from '../users/blocks.sql';
import type { GuideSort } from './dto/list-guides.query';
import { Guide, GuideStatus } from './entities/guide.entity';

type SortValue = string | number | Date;

/** One column of a keyset order; `value` reads the same column from a loaded row. */
interface SortKey {
  column: string;
  direction: 'ASC' | 'DESC';
  value: (g: Guide) => SortValue;
  /** What the cursor holds for this column, checked before it is used. */
  kind: CursorKind;
  /** Turns a cursor value back into a query parameter. */
  parse: (v: string | number | null) => SortValue;
}

const byId = (direction: 'ASC' | 'DESC'): SortKey => ({
  column: 'g.id',
  direction,
  value: (g) => g.id,
  kind: 'id',
  parse: Number,
});
const byDate = (
  column: string,
  direction: 'ASC' | 'DESC',
  of: (g: Guide) => Date | null,
): SortKey => ({
  column,
  direction,
  value: (g: Guide) => (of(g) ?? new Date(0)).toISOString(),
  kind: 'date',
  parse: (v: string | number | null) => new Date(String(v)),
});
const byNumber = (column: string, of: (g: Guide) => number): SortKey => ({
  column,
  direction: 'DESC',
  value: (g) => Number(of(g)),
  kind: 'number',
  parse: Number,
});

const RATING = byNumber('g.average_rating', (g) => g.averageRating);
const REVIEWS = byNumber('g.review_count', (g) => g.reviewCount);

const PUBLIC_ORDERS: Record<GuideSort, SortKey[]> = {
  latest: [byDate('g.approved_at', 'DESC', (g) => g.approvedAt), byId('DESC')],
  rating: [RATING, REVIEWS, byId('DESC')],
  reviews: [REVIEWS, RATING, byId('DESC')],
};

/**
 * `(k1, k2, ..) after (v1, v2, ..)` in the given order, spelled out so that it works on both
 * databases and with mixed directions.
 */
function whereAfter(qb: WhereExpressionBuilder, keys: SortKey[], cursor: string): void {
  const values = decodeCursor(
    cursor,
    keys.map((k) => k.kind),
  ).map((v, i) => keys[i].parse(v));
  qb.andWhere(
    new Brackets((outer) => {
      keys.forEach((key, i) => {
        outer.orWhere(
          new Brackets((inner) => {
            for (let j = 0; j < i; j++) {
              inner.andWhere(`${keys[j].column} = :k${j}`, { [`k${j}`]: values[j] });
            }
            const op = key.direction === 'DESC' ? '<' : '>';
            inner.andWhere(`${key.column} ${op} :k${i}`, { [`k${i}`]: values[i] });
          }),
        );
      });
    }),
  );
}

export interface GuideFilter {
  status: GuideStatus;
  regionIds?: number[];
  language?: string;
  /** Leave out guides this user blocked or was blocked by (docs/api.md, Blocking and account rights). */
  blockViewerId?: number;
}

/**
 * The guides and guide_regions tables: keyset-paged lists, the counts on a profile, and the
 * finds and writes behind GuidesService's rules. The writes that race are conditional updates
 * answering whether they changed the row.
 */
@Injectable()
export class GuidesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get guides() {
    return this.dataSource.getRepository(Guide);
  }

  /** One guide with its user and regions. */
  findFull(id: number): Promise<Guide | null> {
    return this.guides.findOne({ where: { id }, relations: { user: true, regions: true } });
  }

  findFullByUser(userId: number): Promise<Guide | null> {
    return this.guides.findOne({ where: { userId }, relations: { user: true, regions: true } });
  }

  /** Approved guides for the public list. */
  pagePublic(
    filter: GuideFilter,
    sort: GuideSort,
    limit: number,
    cursor?: string,
  ): Promise<Page<Guide>> {
    return this.page(filter, PUBLIC_ORDERS[sort], limit, cursor);
  }

  /** Applications for admins: pending ones oldest first (a queue), others newest first. */
  pageForAdmin(status: GuideStatus, limit: number, cursor?: string): Promise<Page<Guide>> {
    const direction = status === 'pending' ? 'ASC' : 'DESC';
    const keys = [byDate('g.applied_at', direction, (g) => g.appliedAt), byId(direction)];
    return this.page({ status }, keys, limit, cursor);
  }

  private async page(
    filter: GuideFilter,
    keys: SortKey[],
    limit: number,
    cursor?: string,
  ): Promise<Page<Guide>> {
    const qb: SelectQueryBuilder<Guide> = this.guides
      .createQueryBuilder('g')
      .innerJoinAndSelect('g.user', 'u')
      .where('g.status = :status', { status: filter.status });
    if (filter.regionIds) {
      if (filter.regionIds.length === 0) return { items: [], nextCursor: null };
      qb.andWhere(
        'EXISTS (SELECT 1 FROM guide_regions fr WHERE fr.guide_id = g.id AND fr.region_id IN (:...regionIds))',
        { regionIds: filter.regionIds },
      );
    }
    if (filter.language) {
      qb.andWhere('g.languages LIKE :language', { language: `%,${filter.language},%` });
    }
    if (filter.blockViewerId !== undefined) {
      qb.andWhere(noBlockBetween('blockViewer', 'g.user_id'), {
        blockViewer: filter.blockViewerId,
      });
    }
    if (cursor) whereAfter(qb, keys, cursor);
    keys.forEach((key, i) =>
      i === 0 ? qb.orderBy(key.column, key.direction) : qb.addOrderBy(key.column, key.direction),
    );
    const rows = await qb.limit(limit + 1).getMany();
    await this.loadRegions(rows);
    return toPage(
      rows,
      limit,
      (g) =>
        keys.map((k) => {
          const v = k.value(g);
          return v instanceof Date ? v.toISOString() : v;
        }),
      (g) => g,
    );
  }

  /** Fills `regions` of the given guides with one query. */
  async loadRegions(guides: Guide[]): Promise<void> {
    if (guides.length === 0) return;
    const withRegions = await this.guides.find({
      select: { id: true, regions: true },
      where: { id: In(guides.map((g) => g.id)) },
      relations: { regions: true },
    });
    const regionsOf = new Map(withRegions.map((g) => [g.id, g.regions ?? []]));
    for (const g of guides) g.regions = regionsOf.get(g.id) ?? [];
  }

  /** Approved guides serving any of the regions, each counted once. */
  async countApprovedInRegions(regionIds: number[]): Promise<number> {
    if (regionIds.length === 0) return 0;
    const row = await this.guides
      .createQueryBuilder('g')
      .innerJoin('guide_regions', 'gr', 'gr.guide_id = g.id')
      .select('COUNT(DISTINCT g.id)', 'count')
      .where('g.status = :approved', { approved: 'approved' })
      .andWhere('gr.region_id IN (:...regionIds)', { regionIds })
      .getRawOne<{ count: string | number }>();
    return Number(row?.count ?? 0);
  }

  findById(id: number, manager: EntityManager = this.dataSource.manager): Promise<Guide | null> {
    return manager.findOneBy(Guide, { id });
  }

  findByUser(userId: number): Promise<Guide | null> {
    return this.guides.findOneBy({ userId });
  }

  /** Id and status of the user's guide profile, or null when they never applied. */
  refOfUser(userId: number): Promise<Pick<Guide, 'id' | 'status'> | null> {
    return this.guides.findOne({ select: { id: true, status: true }, where: { userId } });
  }

  /** The id of the user's approved guide profile, or null. */
  async approvedIdOfUser(userId: number): Promise<number | null> {
    const guide = await this.guides.findOne({
      select: { id: true },
      where: { userId, status: 'approved' },
    });
    return guide?.id ?? null;
  }

  /** Guide profiles per status (statuses without any are left out). */
  async countByStatus(): Promise<Map<GuideStatus, number>> {
    const rows = await this.guides
      .createQueryBuilder('g')
      .select('g.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('g.status')
      .getRawMany<{ status: GuideStatus; count: string | number }>();
    return new Map(rows.map((r) => [r.status, Number(r.count)]));
  }

  /** A new profile with its regions; throws the database's unique violation when the user has one. */
  async create(
    manager: EntityManager,
    fields: Pick<
      Guide,
      | 'userId'
      | 'introduction'
      | 'languages'
      | 'career'
      | 'status'
      | 'regions'
      | 'appliedAt'
      | 'rejectionReason'
      | 'suspendReason'
      | 'approvedAt'
    >,
  ): Promise<void> {
    await manager.save(manager.create(Guide, fields));
  }

  /**
   * A rejected profile applies again: pending, with the new fields and application time. False
   * when it is not rejected (any more).
   */
  async reapply(
    manager: EntityManager,
    id: number,
    fields: Pick<Guide, 'introduction' | 'languages' | 'career'>,
  ): Promise<boolean> {
    const result = await manager.update(
      Guide,
      { id, status: 'rejected' },
      { ...fields, status: 'pending', appliedAt: new Date(), rejectionReason: null },
    );
    return (result.affected ?? 0) > 0;
  }

  async update(manager: EntityManager, id: number, changes: Partial<Guide>): Promise<void> {
    await manager.update(Guide, { id }, changes);
  }

  /**
   * Moves the profile from status `from` to `to`, only if it has `from` now (of two decisions
   * at once, one wins). True when it did.
   */
  async changeStatus(
    manager: EntityManager,
    id: number,
    from: GuideStatus,
    to: GuideStatus,
  ): Promise<boolean> {
    const result = await manager.update(Guide, { id, status: from }, { status: to });
    return (result.affected ?? 0) > 0;
  }

  /** Sets the guide's regions to `regionIds`: adds the missing links, removes the others. */
  async replaceRegions(
    manager: EntityManager,
    guideId: number,
    regionIds: number[],
  ): Promise<void> {
    const relation = manager.createQueryBuilder().relation(Guide, 'regions').of(guideId);
    const current = await relation.loadMany<{ id: number }>();
    await relation.addAndRemove(
      regionIds.filter((id) => !current.some((c) => c.id === id)),
      current.filter((c) => !regionIds.includes(c.id)).map((c) => c.id),
    );
  }

  /** Suspends the user's pending or approved profile, with the reason admins see. */
  async suspendOpenOfUser(userId: number, reason: string): Promise<void> {
    await this.guides
      .createQueryBuilder()
      .update(Guide)
      .set({ status: 'suspended', suspendReason: reason })
      .where('user_id = :userId AND status IN (:...open)', {
        userId,
        open: ['pending', 'approved'],
      })
      .execute();
  }

  /** review_count + 1, in the review's transaction (the row lock orders concurrent reviews). */
  async countReview(manager: EntityManager, guideId: number): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(Guide)
      .set({ reviewCount: () => 'review_count + 1', updatedAt: () => 'updated_at' })
      .where('id = :guideId', { guideId })
      .updateEntity(false)
      .execute();
  }

  async setAverageRating(manager: EntityManager, guideId: number, average: number): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(Guide)
      .set({ averageRating: average, updatedAt: () => 'updated_at' })
      .where('id = :guideId', { guideId })
      .updateEntity(false)
      .execute();
  }
}
