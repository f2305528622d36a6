import { Guide } from '../../src/guides/entities/guide.entity';
import { Region } from '../../src/regions/entities/region.entity';
import { StoryTag } from '../../src/stories/entities/story-tag.entity';
import { Story, StoryCategory } from '../../src/stories/entities/story.entity';
import { User } from '../../src/users/entities/user.entity';
import type { TestApp } from './test-app';
import { signIn, SignedIn } from './users';

/**
 * Rows written straight into the database, for suites that need guides and stories to exist
 * but test something else. Flows under test go through the API instead.
 */

/** A region by code (the seed's), created if the seed has not made it. */
export async function regionByCode(t: TestApp, code = 'seoul'): Promise<Region> {
  const repo = t.dataSource.getRepository(Region);
  const found = await repo.findOneBy({ code });
  if (found) return found;
  return repo.save(
    repo.create({ code, name: code, nameEn: code, parentId: null, latitude: 37.5, longitude: 127 }),
  );
}

export interface GuideFixture extends SignedIn {
  guideId: number;
}

/** A signed-in user with an approved guide profile and role `guide`. */
export async function approvedGuide(t: TestApp, nickname?: string): Promise<GuideFixture> {
  const user = await signIn(t, { nickname });
  const region = await regionByCode(t);
  const guides = t.dataSource.getRepository(Guide);
  const guide = await guides.save(
    guides.create({
      userId: user.id,
      status: 'approved',
      introduction: 'A local guide who knows every alley.',
      languages: ',ko,en,',
      career: null,
      regions: [region],
      rejectionReason: null,
      suspendReason: null,
      averageRating: 0,
      reviewCount: 0,
      approvedAt: new Date(),
      appliedAt: new Date(),
    }),
  );
  await t.dataSource.getRepository(User).update(user.id, { role: 'guide' });
  return { ...user, guideId: guide.id };
}

/** A published story of `guide`, with optional overrides and tags. */
export async function storyOf(
  t: TestApp,
  guide: GuideFixture,
  overrides: Omit<Partial<Story>, 'tags'> & { tags?: string[]; category?: StoryCategory } = {},
): Promise<Story> {
  const { tags = [], ...fields } = overrides;
  const region = fields.regionId ? null : await regionByCode(t);
  const stories = t.dataSource.getRepository(Story);
  const story = await stories.save(
    stories.create({
      guideId: guide.guideId,
      userId: guide.id,
      title: 'A day in the old town',
      content: 'We walk the market, eat, and watch the sunset from the hill.',
      category: 'culture',
      regionId: region?.id,
      status: 'published',
      ...fields,
    }),
  );
  if (tags.length > 0) {
    await t.dataSource
      .getRepository(StoryTag)
      .insert(tags.map((tag, position) => ({ storyId: story.id, tag, position })));
  }
  return story;
}
