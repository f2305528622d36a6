import { forwardRef, Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import type { Page, PageQueryDto } from '../common/pagination/cursor';
import type { StorySummaryDto } from '../stories/dto/story.dto';
import { StoriesService } from '../stories/stories.service';
import { GuidesService } from './guides.service';

/**
 * A guide's stories (GET /guides/:id/stories). Kept apart from GuidesService, which the
 * stories module depends on, so that neither service needs the other to be built first.
 */
@Injectable()
export class GuideStoriesService {
  constructor(
    private readonly guides: GuidesService,
    @Inject(forwardRef(() => StoriesService)) private readonly stories: StoriesService,
  ) {}

  async list(
    viewer: AuthUser | undefined,
    guideId: number,
    query: PageQueryDto,
  ): Promise<Page<StorySummaryDto>> {
    const page = await this.guides.publishedStoryIds(viewer, guideId, query.limit, query.cursor);
    return {
      items: await this.stories.summariesByIds(viewer, page.items),
      nextCursor: page.nextCursor,
    };
  }
}
