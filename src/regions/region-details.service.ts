import { forwardRef, Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { StoriesService } from '../stories/stories.service';
import { RegionDetailDto } from './dto/region-detail.dto';
import { RegionDto } from './dto/region.dto';
import { RegionsService } from './regions.service';

const POPULAR_STORIES = 5;

/**
 * GET /regions/:id, which needs story summaries from the stories module. Kept apart from
 * RegionsService, which the stories module itself depends on, so that neither service
 * needs the other to be built first.
 */
@Injectable()
export class RegionDetailsService {
  constructor(
    private readonly regions: RegionsService,
    @Inject(forwardRef(() => StoriesService)) private readonly stories: StoriesService,
  ) {}

  async detail(viewer: AuthUser | undefined, regionId: number): Promise<RegionDetailDto> {
    const facts = await this.regions.facts(regionId);
    const ids = await this.regions.popularStoryIds(facts.regionIds, POPULAR_STORIES);
    return {
      ...RegionDto.from(facts.region, facts.storyCount),
      guideCount: facts.guideCount,
      topCategories: facts.topCategories,
      popularStories: await this.stories.summariesByIds(viewer, ids),
    };
  }
}
