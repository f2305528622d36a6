import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { addDays, dateIn } from '../common/time/zoned';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { GuidesService } from '../guides/guides.service';
import { MatchingService } from '../matching/matching.service';
import { ReviewsService } from '../matching/reviews.service';
import { ChatService } from '../chat/chat.service';
import { mediaTempDir } from '../media/media-storage';
import { RegionsService } from '../regions/regions.service';
import { ReportsService } from '../reports/reports.service';
import { CommentsService } from '../stories/comments.service';
import { ReactionsService } from '../stories/reactions.service';
import { StoriesService } from '../stories/stories.service';
import type { MatchingRequestDto } from '../matching/dto/matching-request.dto';
import { UsersService } from '../users/users.service';
import {
  DEFAULT_DEMO_STORIES,
  DEMO_ADMIN,
  DEMO_CHAT,
  DEMO_GUIDES,
  DEMO_TRAVELERS,
  DemoGuide,
  DemoPerson,
} from './demo-seed.data';

export interface DemoSeedOptions {
  /** Stories in all (spread over the guides); the default makes about sixty. */
  stories?: number;
  /** Width of the generated photos in pixels (height: two thirds of it). */
  photoWidth?: number;
  out?: (line: string) => void;
}

/** What a run added; all zero on a second run. */
export interface DemoSeedResult {
  users: number;
  guidesApproved: number;
  stories: number;
  likes: number;
  comments: number;
  chatMessages: number;
  matchingRequests: number;
  reviews: number;
  reports: number;
}

const SEASONS = ['', ' in spring', ' in summer', ' in autumn', ' in winter'];

/**
 * Fills a database with demo data through the application's own services, so every row and
 * file is made as the API makes it: the photos (generated with sharp) go through the media
 * service like uploads, with their thumbnails in the configured storage. Everything is found
 * again by a natural key (Kakao ids, a story's title by its guide, a request's story, a
 * message's client id), so a second run adds nothing.
 */
export class DemoSeed {
  private readonly config: AppConfig;
  private readonly users: UsersService;
  private readonly guides: GuidesService;
  private readonly regions: RegionsService;
  private readonly stories: StoriesService;
  private readonly reactions: ReactionsService;
  private readonly comments: CommentsService;
  private readonly matching: MatchingService;
  private readonly reviews: ReviewsService;
  private readonly chat: ChatService;
  private readonly reports: ReportsService;
  private readonly added: DemoSeedResult = {
    users: 0,
    guidesApproved: 0,
    stories: 0,
    likes: 0,
    comments: 0,
    chatMessages: 0,
    matchingRequests: 0,
    reviews: 0,
    reports: 0,
  };

  constructor(app: INestApplicationContext) {
    this.config = app.get<AppConfig>(APP_CONFIG);
    this.users = app.get(UsersService);
    this.guides = app.get(GuidesService);
    this.regions = app.get(RegionsService);
    this.stories = app.get(StoriesService);
    this.reactions = app.get(ReactionsService);
    this.comments = app.get(CommentsService);
    this.matching = app.get(MatchingService);
    this.reviews = app.get(ReviewsService);
    this.chat = app.get(ChatService);
    this.reports = app.get(ReportsService);
  }

  async run(options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
    const storyCount = options.stories ?? DEFAULT_DEMO_STORIES;
    const photoWidth = options.photoWidth ?? 960;
    const admin = await this.person(DEMO_ADMIN, true);
    const travelers = [];
    for (const traveler of DEMO_TRAVELERS) travelers.push(await this.person(traveler, false));
    const regionIds = new Map((await this.regions.allOrdered()).map((r) => [r.code, r.id]));
    const guides: { user: AuthUser; guideId: number; spec: DemoGuide }[] = [];
    for (const spec of DEMO_GUIDES) {
      const regionId = regionIds.get(spec.region);
      if (regionId === undefined) throw new Error(`Region ${spec.region} is not seeded`);
      guides.push(await this.guide(spec, regionId, admin));
    }

    // story i belongs to guide i mod G: the guides' stories interleave, as in a real feed
    const storyIds: number[] = [];
    const existing = new Map<number, Map<string, number>>();
    for (const g of guides) existing.set(g.user.id, await this.titlesOf(g.user));
    for (let i = 0; i < storyCount; i++) {
      const g = guides[i % guides.length];
      const round = Math.floor(i / guides.length);
      const theme = g.spec.stories[round % g.spec.stories.length];
      const season = Math.floor(round / g.spec.stories.length);
      const title = `${theme.title}${SEASONS[season % SEASONS.length]}${
        season >= SEASONS.length ? ` ${Math.floor(season / SEASONS.length) + 1}` : ''
      }`;
      const known = existing.get(g.user.id)?.get(title);
      if (known !== undefined) {
        storyIds.push(known);
        continue;
      }
      const photos = await Promise.all(
        [0, 1].slice(0, 1 + (i % 2)).map((n) => this.photo(i * 2 + n, photoWidth)),
      );
      const story = await this.stories.create(
        g.user,
        {
          title,
          content: `${theme.content}\n\nA demo story by ${g.spec.nickname}.`,
          category: theme.category,
          regionId: regionIds.get(g.spec.region) as number,
          tags: theme.tags,
        },
        photos as Express.Multer.File[],
      );
      this.added.stories += 1;
      storyIds.push(story.id);
    }

    await this.react(travelers, storyIds);
    if (storyIds.length >= 3) {
      await this.matchedWithChat(travelers[0], guides[0].user, storyIds[0]);
      await this.completedWithReview(travelers[1], guides[1].user, storyIds[1]);
      await this.pendingReport(travelers[2], storyIds[2]);
    }
    this.print(options.out ?? console.log, storyIds.length);
    return this.added;
  }

  /** A user by Kakao id, created on the first run, with the demo nickname and bio. */
  private async person(spec: DemoPerson, admin: boolean): Promise<AuthUser> {
    const user = await this.users.upsertFromProfile(
      { kakaoId: spec.kakaoId, nickname: spec.nickname, profileImageUrl: null, email: null },
      admin,
    );
    const auth = await this.users.authenticate(user.id);
    // a chosen nickname, so that a dev-login with another one does not rename the demo people
    if (!user.nicknameCustomized) {
      await this.users.updateProfile(auth, { nickname: spec.nickname, bio: spec.bio });
      this.added.users += 1;
    }
    return auth;
  }

  /** The guide's profile, applied for and approved by the admin when it is not yet. */
  private async guide(
    spec: DemoGuide,
    regionId: number,
    admin: AuthUser,
  ): Promise<{ user: AuthUser; guideId: number; spec: DemoGuide }> {
    const user = await this.person(spec, false);
    let ref = await this.guides.refOfUser(user.id);
    if (ref === null) {
      await this.guides.apply(user, {
        introduction: spec.introduction,
        languages: spec.languages,
        regionIds: [regionId],
      });
      ref = await this.guides.refOfUser(user.id);
    }
    if (ref?.status === 'pending') {
      await this.guides.approve(admin, ref.id);
      this.added.guidesApproved += 1;
    } else if (ref?.status !== 'approved') {
      throw new Error(`Demo guide ${spec.kakaoId} is ${ref?.status ?? 'missing'}: leave it be`);
    }
    // the role changed with the approval
    return { user: await this.users.authenticate(user.id), guideId: ref.id, spec };
  }

  /** The guide's own stories (published or hidden) by title. */
  private async titlesOf(user: AuthUser): Promise<Map<string, number>> {
    const titles = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const page = await this.stories.list(user, { limit: 50, cursor }, user.id);
      for (const story of page.items) titles.set(story.title, story.id);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return titles;
  }

  /**
   * A landscape photo, different for every `n`: sky, sun and hills in colours of their own,
   * written where uploads wait (so the media service takes it over like an upload).
   */
  private async photo(n: number, width: number): Promise<{ path: string; originalname: string }> {
    const height = Math.round((width * 2) / 3);
    const hue = (n * 47) % 360;
    const sunX = Math.round(width * (0.2 + ((n * 13) % 60) / 100));
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
    <stop offset="0" stop-color="hsl(${hue},70%,45%)"/>
    <stop offset="1" stop-color="hsl(${(hue + 40) % 360},80%,80%)"/>
  </linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#sky)"/>
  <circle cx="${sunX}" cy="${Math.round(height * 0.35)}" r="${Math.round(height * 0.12)}"
    fill="hsl(${(hue + 180) % 360},90%,85%)"/>
  <polygon fill="hsl(${(hue + 120) % 360},35%,30%)" points="0,${height} 0,${Math.round(
    height * 0.7,
  )} ${Math.round(width * 0.3)},${Math.round(height * 0.45)} ${Math.round(
    width * 0.6,
  )},${Math.round(height * 0.75)} ${Math.round(width * 0.8)},${Math.round(
    height * 0.55,
  )} ${width},${Math.round(height * 0.7)} ${width},${height}"/>
</svg>`;
    const dir = mediaTempDir(this.config);
    await mkdir(dir, { recursive: true });
    const path = join(dir, `demo-${randomBytes(12).toString('hex')}`);
    await sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toFile(path);
    return { path, originalname: `demo-${n}.jpg` };
  }

  /** Likes from the travellers, and a comment on every fourth story. */
  private async react(travelers: AuthUser[], storyIds: number[]): Promise<void> {
    for (const [i, storyId] of storyIds.entries()) {
      for (const [t, traveler] of travelers.entries()) {
        if ((i + t) % 3 !== 0) continue;
        const before = await this.stories.detail(traveler, storyId);
        if (!before.likedByMe) {
          await this.reactions.like(traveler, storyId);
          this.added.likes += 1;
        }
      }
      if (i % 4 === 0) {
        const author = travelers[i % travelers.length];
        const content = ['Looks wonderful!', 'Is this possible in the rain too?', 'Booked it!'][
          i % 3
        ];
        const page = await this.comments.list(author, storyId, { limit: 50 });
        const mine = page.items.some((c) => c.author.id === author.id && c.content === content);
        if (!mine) {
          await this.comments.create(author, storyId, { content });
          this.added.comments += 1;
        }
      }
    }
  }

  /** The traveller's request for this story, made now when there is none. */
  private async requestFor(
    traveler: AuthUser,
    storyId: number,
    message: string,
  ): Promise<MatchingRequestDto> {
    let cursor: string | undefined;
    do {
      const page = await this.matching.list(traveler, { role: 'traveler', limit: 50, cursor });
      const found = page.items.find((r) => r.story.id === storyId);
      if (found) return found;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const today = dateIn(new Date(), this.config.lifecycle.timeZone);
    this.added.matchingRequests += 1;
    return this.matching.create(traveler, {
      storyId,
      desiredDate: addDays(today, 14),
      desiredTime: '09:00',
      partySize: 2,
      message,
    });
  }

  /** An accepted request and its chat room with a few messages both ways. */
  private async matchedWithChat(traveler: AuthUser, guide: AuthUser, storyId: number) {
    let request = await this.requestFor(traveler, storyId, 'We are two, can we join?');
    if (request.status === 'pending') request = await this.matching.accept(guide, request.id);
    if (request.chatRoomId === null) return;
    for (const [i, content] of DEMO_CHAT.entries()) {
      const sender = i % 2 === 0 ? traveler : guide;
      const sent = await this.chat.sendMessage(sender, request.chatRoomId, {
        content,
        clientMessageId: `demo-seed-${request.id}-${i}`,
      });
      if (sent.created) this.added.chatMessages += 1;
    }
  }

  /** A completed request with the traveller's review. */
  private async completedWithReview(traveler: AuthUser, guide: AuthUser, storyId: number) {
    let request = await this.requestFor(traveler, storyId, 'First time in Busan!');
    if (request.status === 'pending') request = await this.matching.accept(guide, request.id);
    if (request.status === 'accepted') request = await this.matching.complete(guide, request.id);
    if (request.status !== 'completed') return;
    try {
      await this.reviews.create(traveler, request.id, {
        rating: 5,
        content: 'Knew every corner and the best food stalls. Thank you!',
      });
      this.added.reviews += 1;
    } catch (error) {
      if (!(error instanceof DomainException && error.code === 'REVIEW_EXISTS')) throw error;
    }
  }

  /** A report an admin has yet to decide. */
  private async pendingReport(reporter: AuthUser, storyId: number) {
    try {
      await this.reports.create(reporter, {
        targetType: 'story',
        targetId: storyId,
        reason: 'spam',
        detail: 'Demo report: mentions a shop in every line.',
      });
      this.added.reports += 1;
    } catch (error) {
      if (!(error instanceof DomainException && error.code === 'REPORT_DUPLICATE')) throw error;
    }
  }

  private print(out: (line: string) => void, stories: number): void {
    const added = Object.entries(this.added)
      .filter(([, count]) => count > 0)
      .map(([what, count]) => `${count} ${what}`);
    out(`Demo data in place (${stories} stories); added now: ${added.join(', ') || 'nothing'}.`);
    out('');
    out('Sign in as any of them with dev-login (AUTH_DEV_LOGIN=true, not in production):');
    out('  POST /api/v1/auth/dev-login {"kakaoId": "<id>", "nickname": "<any>"}');
    out('');
    const row = (kakaoId: string, who: string, name: string) =>
      out(`  ${kakaoId.padEnd(8)} ${who.padEnd(36)} ${name}`);
    row(DEMO_ADMIN.kakaoId, 'admin', DEMO_ADMIN.nickname);
    for (const g of DEMO_GUIDES) row(g.kakaoId, `guide (${g.region})`, g.nickname);
    for (const [i, t] of DEMO_TRAVELERS.entries()) {
      const note = ['matched, chat history', 'completed + reviewed', 'filed a pending report'][i];
      row(t.kakaoId, `traveller (${note})`, t.nickname);
    }
  }
}
