import type { AuthUser } from '../../src/common/decorators/current-user.decorator';
import { GuidesService } from '../../src/guides/guides.service';
import { MatchingService } from '../../src/matching/matching.service';
import { RegionsService } from '../../src/regions/regions.service';
import type { StoryDetailDto } from '../../src/stories/dto/story.dto';
import { StoriesService } from '../../src/stories/stories.service';
import { UsersService } from '../../src/users/users.service';
import type { AppContext } from './app-context';

/**
 * Domain objects made through the services themselves (as users would make them over the
 * API), for unit tests that run against an {@link AppContext}.
 */

/** An approved guide: a user who applied and whom `admin` approved (role `guide`). */
export async function guideThroughServices(ctx: AppContext, admin: AuthUser): Promise<AuthUser> {
  const user = await ctx.user();
  const regions = await ctx.get(RegionsService).allOrdered();
  const guides = ctx.get(GuidesService);
  const applied = await guides.apply(user, {
    introduction: 'I know every street of the old town.',
    languages: ['ko'],
    regionIds: [regions[0].id],
  });
  await guides.approve(admin, applied.id);
  return ctx.get(UsersService).authenticate(user.id);
}

export async function storyThroughServices(
  ctx: AppContext,
  guide: AuthUser,
  title = 'Markets at dawn',
): Promise<StoryDetailDto> {
  const [region] = await ctx.get(RegionsService).allOrdered();
  return ctx
    .get(StoriesService)
    .create(
      guide,
      { title, content: 'Fish, then coffee.', category: 'food', regionId: region.id },
      [],
    );
}

/** A date `days` from today (UTC), as matching requests take it. */
export function dateIn(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

export async function requestThroughServices(
  ctx: AppContext,
  traveler: AuthUser,
  storyId: number,
): Promise<number> {
  const created = await ctx
    .get(MatchingService)
    .create(traveler, { storyId, desiredDate: dateIn(7), partySize: 2, message: 'Two of us' });
  return created.id;
}
