import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import type { Page, PageQueryDto } from '../common/pagination/cursor';
import { MatchingService } from '../matching/matching.service';
import { ReviewsService } from '../matching/reviews.service';
import type { StorySummaryDto } from '../stories/dto/story.dto';
import { StoriesService } from '../stories/stories.service';
import type { User } from '../users/entities/user.entity';
import { GuideDto, GuideReviewDto } from './dto/guide.dto';
import { GuidesService } from './guides.service';

/**
 * A guide's public pages (GET /guides/:id, its stories and its reviews), which show what
 * the stories and matching modules know of the guide: composed here, above them. Each page
 * is 404 when the profile is (not approved, except to the guide and admins).
 */
@Injectable()
export class GuideProfilesService {
  constructor(
    private readonly guides: GuidesService,
    private readonly storyList: StoriesService,
    private readonly matching: MatchingService,
    private readonly reviewList: ReviewsService,
  ) {}

  async profile(viewer: AuthUser | undefined, guideId: number): Promise<GuideDto> {
    const guide = await this.guides.requireVisible(viewer, guideId);
    const [storyCount, completedMatchingCount] = await Promise.all([
      this.storyList.countPublishedByGuide(guide.id),
      this.matching.countCompletedByGuide(guide.id),
    ]);
    return GuideDto.withCounts(guide, storyCount, completedMatchingCount);
  }

  /** The guide's published stories, newest first. */
  async stories(
    viewer: AuthUser | undefined,
    guideId: number,
    query: PageQueryDto,
  ): Promise<Page<StorySummaryDto>> {
    await this.guides.requireVisible(viewer, guideId);
    return this.storyList.publishedByGuide(viewer, guideId, query);
  }

  /** The guide's reviews, newest first. */
  async reviews(
    viewer: AuthUser | undefined,
    guideId: number,
    query: PageQueryDto,
  ): Promise<Page<GuideReviewDto>> {
    await this.guides.requireVisible(viewer, guideId);
    const page = await this.reviewList.pageForGuide(viewer, guideId, query);
    return {
      items: page.items.map((r) => {
        const traveler = r.traveler as User | undefined;
        return {
          id: r.id,
          rating: r.rating,
          content: r.content,
          traveler: {
            id: traveler?.id ?? r.travelerId,
            nickname: traveler?.nickname ?? '',
            profileImageUrl: traveler?.profileImageUrl ?? null,
          },
          createdAt: r.createdAt.toISOString(),
        };
      }),
      nextCursor: page.nextCursor,
    };
  }
}
