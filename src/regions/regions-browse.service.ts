import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { GuidesService } from '../guides/guides.service';
import { StoriesService } from '../stories/stories.service';
import { RegionDetailDto } from './dto/region-detail.dto';
import { CategoryCountDto, RegionDto, RegionMapItemDto } from './dto/region.dto';
import type { Region } from './entities/region.entity';
import { RegionsService } from './regions.service';

const TOP_CATEGORIES = 3;
const TOP_TAGS = 5;
const POPULAR_STORIES = 5;

/** The `n` keys with the highest counts, ties broken alphabetically, as `[key, count]`. */
function topOf<K extends string>(counts: Map<K, number>, n: number): [K, number][] {
  return [...counts].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).slice(0, n);
}

/** Adds `count` under `key` of the map held for `bucket`. */
function add<K>(into: Map<number, Map<K, number>>, bucket: number, key: K, count: number): void {
  const counts = into.get(bucket) ?? new Map<K, number>();
  counts.set(key, (counts.get(key) ?? 0) + count);
  into.set(bucket, counts);
}

/**
 * The region screens (GET /regions, /regions/map, /regions/:id): regions with what is
 * published in them. Composed here, above the regions, guides and stories modules, from each
 * module's own counts (the stories module counts per region; parents add up their areas).
 */
@Injectable()
export class RegionsBrowseService {
  constructor(
    private readonly regions: RegionsService,
    private readonly stories: StoriesService,
    private readonly guides: GuidesService,
  ) {}

  /** Every region, top-level ones and their areas in seed order; a parent counts its areas'. */
  async list(): Promise<RegionDto[]> {
    const [regions, counts] = await Promise.all([
      this.regions.allOrdered(),
      this.stories.publishedCountsByRegion(),
    ]);
    const total = this.addUp(regions, counts);
    return regions.map((r) => RegionDto.from(r, total.get(r.id) ?? 0));
  }

  /**
   * The map pins: without `parentId` the top-level regions (each counting its areas' stories),
   * with it the areas under that region.
   */
  async map(parentId?: number): Promise<RegionMapItemDto[]> {
    if (parentId !== undefined) await this.regions.requireById(parentId);
    const pins = await this.regions.children(parentId ?? null);
    // each story counts under the pin that is its region or its region's parent
    const pinOf = new Map<number, number>();
    for (const pin of pins) pinOf.set(pin.id, pin.id);
    if (parentId === undefined) {
      for (const region of await this.regions.allOrdered()) {
        if (region.parentId !== null) pinOf.set(region.id, region.parentId);
      }
    }
    const regionIds = [...pinOf.keys()];
    const [stories, categories, tags] = await Promise.all([
      this.stories.publishedCountsByRegion(regionIds),
      this.stories.publishedCategoryCountsByRegion(regionIds),
      this.stories.publishedTagCountsByRegion(regionIds),
    ]);
    const storyCount = new Map<number, number>();
    for (const s of stories) {
      const pin = pinOf.get(s.regionId) as number;
      storyCount.set(pin, (storyCount.get(pin) ?? 0) + s.count);
    }
    const categoriesOf = new Map<number, Map<string, number>>();
    for (const c of categories)
      add(categoriesOf, pinOf.get(c.regionId) as number, c.category, c.count);
    const tagsOf = new Map<number, Map<string, number>>();
    for (const t of tags) add(tagsOf, pinOf.get(t.regionId) as number, t.tag, t.count);
    return pins.map((r) => ({
      id: r.id,
      name: r.name,
      latitude: Number(r.latitude),
      longitude: Number(r.longitude),
      storyCount: storyCount.get(r.id) ?? 0,
      topCategories: topOf(categoriesOf.get(r.id) ?? new Map(), TOP_CATEGORIES).map(
        ([category, count]) => ({ category, count }),
      ),
      topTags: topOf(tagsOf.get(r.id) ?? new Map(), TOP_TAGS).map(([tag]) => tag),
    }));
  }

  /** One region's page, its areas included: counts, top categories, popular stories. */
  async detail(viewer: AuthUser | undefined, regionId: number): Promise<RegionDetailDto> {
    const region = await this.regions.requireById(regionId);
    const regionIds = await this.regions.descendantIds(regionId);
    const [stories, categories, guideCount, popularStories] = await Promise.all([
      this.stories.publishedCountsByRegion(regionIds),
      this.stories.publishedCategoryCountsByRegion(regionIds),
      this.guides.countApprovedInRegions(regionIds),
      this.stories.popularInRegions(viewer, regionIds, POPULAR_STORIES),
    ]);
    const perCategory = new Map<string, number>();
    for (const c of categories) {
      perCategory.set(c.category, (perCategory.get(c.category) ?? 0) + c.count);
    }
    const topCategories: CategoryCountDto[] = topOf(perCategory, TOP_CATEGORIES).map(
      ([category, count]) => ({ category, count }),
    );
    return {
      ...RegionDto.from(
        region,
        stories.reduce((sum, s) => sum + s.count, 0),
      ),
      guideCount,
      topCategories,
      popularStories,
    };
  }

  /** Per region, its own published stories plus (for a parent) its areas'. */
  private addUp(
    regions: Region[],
    counts: { regionId: number; count: number }[],
  ): Map<number, number> {
    const own = new Map(counts.map((c) => [c.regionId, c.count]));
    const total = new Map<number, number>();
    for (const r of regions) {
      const n = own.get(r.id) ?? 0;
      total.set(r.id, (total.get(r.id) ?? 0) + n);
      if (r.parentId !== null) total.set(r.parentId, (total.get(r.parentId) ?? 0) + n);
    }
    return total;
  }
}
