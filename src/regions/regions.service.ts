import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { DomainException } from '../common/errors/domain.exception';
import { CategoryCountDto, RegionDto, RegionMapItemDto } from './dto/region.dto';
import { Region } from './entities/region.entity';
import { BucketCount, RegionBucket, RegionsRepository } from './regions.repository';

const TOP_CATEGORIES = 3;
const TOP_TAGS = 5;

/** Region detail without the story summaries (those come from the stories module). */
export interface RegionFacts {
  region: Region;
  storyCount: number;
  guideCount: number;
  topCategories: CategoryCountDto[];
  /** The region and its areas. */
  regionIds: number[];
}

function countsById(rows: BucketCount[]): Map<number, number> {
  return new Map(rows.map((r) => [r.regionId, r.count]));
}

/** The `n` keys with the highest counts, ties broken alphabetically, as `[key, count]`. */
function topOf<K extends string>(rows: { key: K; count: number }[], n: number): [K, number][] {
  return rows
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, n)
    .map((r) => [r.key, r.count]);
}

function groupBy<T>(rows: T[], keyOf: (row: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
  return groups;
}

@Injectable()
export class RegionsService {
  constructor(
    @InjectRepository(Region) private readonly regions: Repository<Region>,
    private readonly stats: RegionsRepository,
  ) {}

  findById(id: number): Promise<Region | null> {
    return this.regions.findOneBy({ id });
  }

  async requireById(id: number): Promise<Region> {
    const region = await this.findById(id);
    if (!region) throw new DomainException('NOT_FOUND', 'Region not found');
    return region;
  }

  /** The region and the areas under it; empty when the region does not exist. */
  async descendantIds(regionId: number): Promise<number[]> {
    const rows = await this.regions.find({
      select: { id: true },
      where: [{ id: regionId }, { parentId: regionId }],
      order: { id: 'ASC' },
    });
    const ids = rows.map((r) => r.id);
    // the region itself first, so callers may rely on it
    return ids.includes(regionId) ? [regionId, ...ids.filter((id) => id !== regionId)] : [];
  }

  /** The regions with these ids, in the given order; 400 naming `field` when one is missing. */
  async requireExisting(ids: number[], field = 'regionIds'): Promise<Region[]> {
    const unique = [...new Set(ids)];
    const found = unique.length > 0 ? await this.regions.findBy({ id: In(unique) }) : [];
    const byId = new Map(found.map((r) => [r.id, r]));
    const missing = unique.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      const message = `${field} contains regions that do not exist: ${missing.join(', ')}`;
      throw new DomainException('VALIDATION_FAILED', message, [{ field, errors: [message] }]);
    }
    return unique.map((id) => byId.get(id) as Region);
  }

  /** Every region, top-level ones and their areas in seed order. */
  async list(): Promise<RegionDto[]> {
    const [regions, own] = await Promise.all([this.allOrdered(), this.stats.storyCounts('self')]);
    const counts = countsById(own);
    const total = new Map<number, number>();
    for (const r of regions) {
      const n = counts.get(r.id) ?? 0;
      total.set(r.id, (total.get(r.id) ?? 0) + n);
      if (r.parentId !== null) total.set(r.parentId, (total.get(r.parentId) ?? 0) + n);
    }
    return regions.map((r) => RegionDto.from(r, total.get(r.id) ?? 0));
  }

  /**
   * The map pins: without `parentId` the top-level regions (each counting its areas' stories),
   * with it the areas under that region.
   */
  async map(parentId?: number): Promise<RegionMapItemDto[]> {
    let regions: Region[];
    let bucket: RegionBucket;
    if (parentId === undefined) {
      regions = await this.regions.find({
        where: { parentId: IsNull() },
        order: { sortOrder: 'ASC', id: 'ASC' },
      });
      bucket = 'top';
    } else {
      await this.requireById(parentId);
      regions = await this.regions.find({
        where: { parentId },
        order: { sortOrder: 'ASC', id: 'ASC' },
      });
      bucket = 'self';
    }
    const ids = regions.map((r) => r.id);
    const [stories, categories, tags] = await Promise.all([
      this.stats.storyCounts(bucket, ids),
      this.stats.categoryCounts(bucket, ids),
      this.stats.tagCounts(bucket, ids),
    ]);
    const storyCounts = countsById(stories);
    const categoriesOf = groupBy(categories, (c) => c.regionId);
    const tagsOf = groupBy(tags, (t) => t.regionId);
    return regions.map((r) => ({
      id: r.id,
      name: r.name,
      latitude: Number(r.latitude),
      longitude: Number(r.longitude),
      storyCount: storyCounts.get(r.id) ?? 0,
      topCategories: topOf(
        (categoriesOf.get(r.id) ?? []).map((c) => ({ key: c.category, count: c.count })),
        TOP_CATEGORIES,
      ).map(([category, count]) => ({ category, count })),
      topTags: topOf(
        (tagsOf.get(r.id) ?? []).map((t) => ({ key: t.tag, count: t.count })),
        TOP_TAGS,
      ).map(([tag]) => tag),
    }));
  }

  /** Counts for one region's page, its areas included. */
  async facts(regionId: number): Promise<RegionFacts> {
    const region = await this.requireById(regionId);
    const regionIds = await this.descendantIds(regionId);
    const [stories, categories, guideCount] = await Promise.all([
      this.stats.storyCounts('self', regionIds),
      this.stats.categoryCounts('self', regionIds),
      this.stats.approvedGuideCount(regionIds),
    ]);
    const perCategory = new Map<string, number>();
    for (const c of categories) {
      perCategory.set(c.category, (perCategory.get(c.category) ?? 0) + c.count);
    }
    return {
      region,
      regionIds,
      storyCount: stories.reduce((sum, s) => sum + s.count, 0),
      guideCount,
      topCategories: topOf(
        [...perCategory].map(([key, count]) => ({ key, count })),
        TOP_CATEGORIES,
      ).map(([category, count]) => ({ category, count })),
    };
  }

  /** Ids of the `limit` most popular published stories in the regions. */
  popularStoryIds(regionIds: number[], limit: number): Promise<number[]> {
    return this.stats.popularStoryIds(regionIds, limit);
  }

  /** Top-level regions in seed order, each followed by its areas in seed order. */
  private async allOrdered(): Promise<Region[]> {
    const all = await this.regions.find({ order: { sortOrder: 'ASC', id: 'ASC' } });
    const children = groupBy(
      all.filter((r) => r.parentId !== null),
      (r) => r.parentId as number,
    );
    const tops = all.filter((r) => r.parentId === null);
    const topIds = new Set(tops.map((r) => r.id));
    const orphans = all.filter((r) => r.parentId !== null && !topIds.has(r.parentId));
    return [...tops.flatMap((r) => [r, ...(children.get(r.id) ?? [])]), ...orphans];
  }
}
