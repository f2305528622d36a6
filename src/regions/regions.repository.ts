import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Guide } from '../guides/entities/guide.entity';
import { StoryTag } from '../stories/entities/story-tag.entity';
import { Story } from '../stories/entities/story.entity';
import { Region } from './entities/region.entity';

/**
 * Which region a story is counted under: its own region (`self`), or its top-level region
 * (`top`, so a parent counts its children's). Regions are two levels deep.
 */
export type RegionBucket = 'self' | 'top';

const BUCKET_SQL: Record<RegionBucket, string> = {
  self: 'r.id',
  top: 'COALESCE(r.parent_id, r.id)',
};

/** SPEC §5's popularity order (likes·3 + comments·2 + bookmarks·2 + views·0.1), times ten. */
const POPULARITY_SQL =
  '(s.like_count * 30 + s.comment_count * 20 + s.bookmark_count * 20 + s.view_count)';

export interface BucketCount {
  regionId: number;
  count: number;
}
export interface BucketCategoryCount extends BucketCount {
  category: string;
}
export interface BucketTagCount extends BucketCount {
  tag: string;
}

/**
 * The grouped read queries behind the region screens: counts of published stories (and of
 * their categories and tags) per region, in one query each whatever the number of regions.
 * They read the stories tables without changing them; the stories module owns the writes.
 */
@Injectable()
export class RegionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private publishedStories(bucket: RegionBucket, regionIds?: number[]) {
    const qb = this.dataSource
      .getRepository(Story)
      .createQueryBuilder('s')
      .innerJoin(Region, 'r', 'r.id = s.region_id')
      .where('s.status = :published', { published: 'published' });
    if (regionIds) qb.andWhere(`${BUCKET_SQL[bucket]} IN (:...regionIds)`, { regionIds });
    return qb;
  }

  async storyCounts(bucket: RegionBucket, regionIds?: number[]): Promise<BucketCount[]> {
    if (regionIds?.length === 0) return [];
    const rows = await this.publishedStories(bucket, regionIds)
      .select(BUCKET_SQL[bucket], 'regionId')
      .addSelect('COUNT(*)', 'count')
      .groupBy(BUCKET_SQL[bucket])
      .getRawMany<{ regionId: string | number; count: string | number }>();
    return rows.map((r) => ({ regionId: Number(r.regionId), count: Number(r.count) }));
  }

  async categoryCounts(bucket: RegionBucket, regionIds?: number[]): Promise<BucketCategoryCount[]> {
    if (regionIds?.length === 0) return [];
    const rows = await this.publishedStories(bucket, regionIds)
      .select(BUCKET_SQL[bucket], 'regionId')
      .addSelect('s.category', 'category')
      .addSelect('COUNT(*)', 'count')
      .groupBy(BUCKET_SQL[bucket])
      .addGroupBy('s.category')
      .getRawMany<{ regionId: string | number; category: string; count: string | number }>();
    return rows.map((r) => ({
      regionId: Number(r.regionId),
      category: r.category,
      count: Number(r.count),
    }));
  }

  async tagCounts(bucket: RegionBucket, regionIds?: number[]): Promise<BucketTagCount[]> {
    if (regionIds?.length === 0) return [];
    const rows = await this.publishedStories(bucket, regionIds)
      .innerJoin(StoryTag, 't', 't.story_id = s.id')
      .select(BUCKET_SQL[bucket], 'regionId')
      .addSelect('t.tag', 'tag')
      .addSelect('COUNT(*)', 'count')
      .groupBy(BUCKET_SQL[bucket])
      .addGroupBy('t.tag')
      .getRawMany<{ regionId: string | number; tag: string; count: string | number }>();
    return rows.map((r) => ({ regionId: Number(r.regionId), tag: r.tag, count: Number(r.count) }));
  }

  /** Approved guides serving any of the regions, each counted once. */
  async approvedGuideCount(regionIds: number[]): Promise<number> {
    if (regionIds.length === 0) return 0;
    const row = await this.dataSource
      .getRepository(Guide)
      .createQueryBuilder('g')
      .innerJoin('guide_regions', 'gr', 'gr.guide_id = g.id')
      .select('COUNT(DISTINCT g.id)', 'count')
      .where('g.status = :approved', { approved: 'approved' })
      .andWhere('gr.region_id IN (:...regionIds)', { regionIds })
      .getRawOne<{ count: string | number }>();
    return Number(row?.count ?? 0);
  }

  /** Ids of the most popular published stories in the regions, best first. */
  async popularStoryIds(regionIds: number[], limit: number): Promise<number[]> {
    if (regionIds.length === 0) return [];
    const rows = await this.dataSource
      .getRepository(Story)
      .createQueryBuilder('s')
      .select('s.id', 'id')
      .where('s.status = :published', { published: 'published' })
      .andWhere('s.region_id IN (:...regionIds)', { regionIds })
      .orderBy(POPULARITY_SQL, 'DESC')
      .addOrderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .limit(limit)
      .getRawMany<{ id: string | number }>();
    return rows.map((r) => Number(r.id));
  }
}
