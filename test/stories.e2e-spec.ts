import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from '../src/audit/entities/audit-log.entity';
import { Guide } from '../src/guides/entities/guide.entity';
import { StoryMedia } from '../src/stories/entities/story-media.entity';
import { StoryLike } from '../src/stories/entities/story-like.entity';
import { StoryTag } from '../src/stories/entities/story-tag.entity';
import { StoryView } from '../src/stories/entities/story-view.entity';
import { Story } from '../src/stories/entities/story.entity';
import { approvedGuide, GuideFixture, regionByCode, storyOf } from './support/fixtures';
import { jpeg, mp4, png } from './support/media';
import { nextEvent, SocketPool } from './support/sockets';
import { waitFor } from './support/server-process';
import { createTestApp, TestApp } from './support/test-app';
import { expectError, signIn, SignedIn, uniqueKakaoId } from './support/users';

const ADMIN_KAKAO_ID = '990000001';

describe('stories', () => {
  let t: TestApp;
  let guide: GuideFixture;
  let traveller: SignedIn;
  let admin: SignedIn;

  const fileOf = (url: string) => join(t.uploadDir, url.replace(/^.*\/uploads\//, ''));
  const storedFiles = () =>
    ['stories', 'thumbnails'].flatMap((dir) =>
      existsSync(join(t.uploadDir, dir)) ? readdirSync(join(t.uploadDir, dir)) : [],
    );

  const sockets = new SocketPool();
  afterEach(() => sockets.closeAll());

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_KAKAO_IDS: ADMIN_KAKAO_ID });
    guide = await approvedGuide(t, 'storyguide');
    traveller = await signIn(t, { nickname: 'traveller' });
    admin = await signIn(t, { kakaoId: ADMIN_KAKAO_ID, nickname: 'admin' });
  });
  afterAll(async () => t.close());

  describe('publishing', () => {
    it('an approved guide publishes with JSON: 201 with the full detail', async () => {
      const region = await regionByCode(t, 'jeju-seogwipo');
      const res = await t
        .http()
        .post('/api/v1/stories')
        .set(guide.auth)
        .send({
          title: '  Olle trail at dawn ',
          content: 'Walk the coast.\n\nThen eat abalone porridge. '.repeat(10),
          category: 'nature',
          regionId: region.id,
          tags: ['Olle', 'sea '],
        })
        .expect(201);
      expect(res.body).toMatchObject({
        title: 'Olle trail at dawn',
        category: 'nature',
        tags: ['olle', 'sea'],
        region: { id: region.id, name: region.name },
        guide: { id: guide.guideId, userId: guide.id, nickname: 'storyguide', averageRating: 0 },
        status: 'published',
        thumbnailUrl: null,
        media: [],
        mediaCount: 0,
        likeCount: 0,
        commentCount: 0,
        bookmarkCount: 0,
        viewCount: 0,
        isMatched: false,
        likedByMe: false,
        bookmarkedByMe: false,
      });
      expect(res.body.excerpt.length).toBeLessThanOrEqual(120);
      expect(res.body.excerpt.startsWith('Walk the coast. Then eat')).toBe(true);
      const row = await t.dataSource.getRepository(Story).findOneByOrFail({ id: res.body.id });
      expect(row).toMatchObject({ guideId: guide.guideId, userId: guide.id, regionId: region.id });
    });

    it('multipart with a photo and a video: photo ready at once, video processed as a job', async () => {
      const region = await regionByCode(t, 'seoul');
      // the owner's socket hears when the video is done
      const socket = await sockets.connect(t.baseUrl, guide.accessToken);
      const ready = nextEvent<Record<string, unknown>>(socket, 'media:ready', 20_000);
      const res = await t
        .http()
        .post('/api/v1/stories')
        .set(guide.auth)
        .field('title', 'Palaces by night')
        .field('content', 'Lanterns and quiet courtyards.')
        .field('category', 'history')
        .field('regionId', String(region.id))
        .field('tags', 'palace, night')
        .attach('media', await png(800, 600), 'photo.png')
        .attach('media', await mp4(), { filename: 'clip.bin', contentType: 'text/plain' })
        .expect(201);
      expect(res.body.tags).toEqual(['palace', 'night']);
      expect(res.body.mediaCount).toBe(2);
      const [photo, video] = res.body.media;
      expect(photo).toMatchObject({
        type: 'image',
        status: 'ready',
        mimeType: 'image/png',
        width: 800,
        height: 600,
      });
      // probed in the request, nothing of it served before the job has run
      expect(video).toMatchObject({
        type: 'video',
        status: 'processing',
        mimeType: 'video/mp4',
        width: 320,
        height: 240,
        url: null,
        thumbnailUrl: null,
      });
      expect(video.durationSec).toBeCloseTo(2, 0);
      expect(res.body.thumbnailUrl).toBe(photo.thumbnailUrl);

      expect(await ready).toEqual({
        storyId: res.body.id,
        mediaId: video.id,
        status: 'ready',
        thumbnailUrl: expect.stringMatching(/^\/uploads\/thumbnails\/[0-9a-f]{32}\.jpg$/),
      });
      const detail = await t.http().get(`/api/v1/stories/${res.body.id}`).expect(200);
      expect(detail.body.media[1]).toMatchObject({ id: video.id, status: 'ready' });
      for (const m of detail.body.media) {
        expect(m.url).toMatch(/^\/uploads\/stories\/[0-9a-f]{16,}\.(png|mp4)$/);
        expect(m.thumbnailUrl).toMatch(/^\/uploads\/thumbnails\/[0-9a-f]{16,}\.jpg$/);
        expect(existsSync(fileOf(m.url))).toBe(true);
        expect(existsSync(fileOf(m.thumbnailUrl))).toBe(true);
      }
      const served = await t.http().get(detail.body.media[1].thumbnailUrl).expect(200);
      expect(served.headers['content-type']).toBe('image/jpeg');
      expect(served.headers['cache-control']).toMatch(/max-age=31536000/);
      // the upload waiting for processing is gone, and was never under a served folder
      expect(readdirSync(join(t.uploadDir, 'incoming'))).toEqual([]);
    });

    it('refuses content that is not a supported media type, storing nothing', async () => {
      const before = await t.dataSource.getRepository(Story).count();
      const filesBefore = storedFiles().length;
      const res = await t
        .http()
        .post('/api/v1/stories')
        .set(guide.auth)
        .field('title', 'Fake photo')
        .field('content', 'text')
        .field('category', 'other')
        .field('regionId', String((await regionByCode(t)).id))
        .attach('media', Buffer.from('just some text, not a picture'), 'photo.jpg')
        .expect(415);
      expectError(res.body, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(await t.dataSource.getRepository(Story).count()).toBe(before);
      expect(storedFiles().length).toBe(filesBefore);
    });

    it('refuses 11 files with 400', async () => {
      const photo = await jpeg();
      let req = t
        .http()
        .post('/api/v1/stories')
        .set(guide.auth)
        .field('title', 'Too many')
        .field('content', 'x')
        .field('category', 'other')
        .field('regionId', String((await regionByCode(t)).id));
      for (let i = 0; i < 11; i++) req = req.attach('media', photo, `p${i}.jpg`);
      const res = await req;
      expect(res.status).toBe(400);
      expectError(res.body, 400, 'VALIDATION_FAILED');
    });

    it('validates the fields: 400 with per-field details, nothing stored', async () => {
      const before = await t.dataSource.getRepository(Story).count();
      const res = await t
        .http()
        .post('/api/v1/stories')
        .set(guide.auth)
        .send({
          title: 'x'.repeat(101),
          content: '',
          category: 'sightseeing',
          regionId: 'abc',
          tags: Array.from({ length: 11 }, (_, i) => `t${i}`),
          extra: true,
        })
        .expect(400);
      expectError(res.body, 400, 'VALIDATION_FAILED');
      const fields = (res.body.details as { field: string }[]).map((d) => d.field);
      expect(fields).toEqual(
        expect.arrayContaining(['title', 'content', 'category', 'regionId', 'tags', 'extra']),
      );
      const missingRegion = await t
        .http()
        .post('/api/v1/stories')
        .set(guide.auth)
        .send({ title: 'a', content: 'b', category: 'food', regionId: 999999 })
        .expect(400);
      expect(missingRegion.body.details[0].field).toBe('regionId');
      const longTag = await t
        .http()
        .post('/api/v1/stories')
        .set(guide.auth)
        .send({ title: 'a', content: 'b', category: 'food', regionId: 1, tags: ['y'.repeat(21)] })
        .expect(400);
      expectError(longTag.body, 400, 'VALIDATION_FAILED');
      expect(await t.dataSource.getRepository(Story).count()).toBe(before);
    });

    it('403 GUIDE_REQUIRED for travellers, pending guides and suspended guides', async () => {
      const body = { title: 'a', content: 'b', category: 'food', regionId: 1 };
      const asTraveller = await t.http().post('/api/v1/stories').set(traveller.auth).send(body);
      expectError(asTraveller.body, 403, 'GUIDE_REQUIRED');

      const pending = await approvedGuide(t);
      await t.dataSource.getRepository(Guide).update(pending.guideId, { status: 'pending' });
      const asPending = await t.http().post('/api/v1/stories').set(pending.auth).send(body);
      expectError(asPending.body, 403, 'GUIDE_REQUIRED');

      const suspended = await approvedGuide(t);
      const story = await storyOf(t, suspended);
      await t.dataSource.getRepository(Guide).update(suspended.guideId, { status: 'suspended' });
      const asSuspended = await t.http().post('/api/v1/stories').set(suspended.auth).send(body);
      expectError(asSuspended.body, 403, 'GUIDE_REQUIRED');
      // their stories stay visible, but they can no longer edit them
      await t.http().get(`/api/v1/stories/${story.id}`).expect(200);
      const edit = await t
        .http()
        .patch(`/api/v1/stories/${story.id}`)
        .set(suspended.auth)
        .send({ title: 'changed' });
      expectError(edit.body, 403, 'GUIDE_REQUIRED');
      await t.http().post('/api/v1/stories').send(body).expect(401);
    });
  });

  describe('reading', () => {
    it('shows an excerpt: blanks collapsed, cut at 120 characters, the same in lists and details', async () => {
      const words = 'Sea, stone walls and tangerines. '.repeat(12); // ~400 characters
      const expected = (content: string) => {
        const flat = content.replace(/\s+/g, ' ').trim();
        return flat.length <= 120 ? flat : `${flat.slice(0, 119).trimEnd()}…`;
      };
      const contents = [
        'Short\n\n\tand   spaced  ',
        words,
        // a head of blanks longer than what lists read of the content, then text
        `${' \n'.repeat(300)}${words}`,
        `${'\n'.repeat(500)}only this`,
        // the 120th character after a run of blanks
        `${'a'.repeat(118)}   \n\n b${'c'.repeat(50)}`,
      ];
      const ids: number[] = [];
      for (const content of contents) ids.push((await storyOf(t, guide, { content })).id);
      const list = await t
        .http()
        .get(`/api/v1/guides/${guide.guideId}/stories?limit=50`)
        .set(traveller.auth)
        .expect(200);
      const listed = new Map(
        (list.body.items as { id: number; excerpt: string }[]).map((s) => [s.id, s.excerpt]),
      );
      for (const [index, content] of contents.entries()) {
        const detail = await t.http().get(`/api/v1/stories/${ids[index]}`).expect(200);
        expect(detail.body.excerpt).toBe(expected(content));
        expect(listed.get(ids[index])).toBe(expected(content));
      }
    });

    it('counts a view at most once per viewer per 10 minutes', async () => {
      const story = await storyOf(t, guide);
      const url = `/api/v1/stories/${story.id}`;
      const first = await t.http().get(url).set(traveller.auth).expect(200);
      expect(first.body.viewCount).toBe(1);
      const again = await t.http().get(url).set(traveller.auth).expect(200);
      expect(again.body.viewCount).toBe(1);
      // a view is no edit of the story
      expect(again.body.updatedAt).toBe(first.body.updatedAt);
      expect(
        (await t.dataSource.getRepository(Story).findOneByOrFail({ id: story.id })).updatedAt,
      ).toEqual(story.updatedAt);
      const other = await t.http().get(url).set(admin.auth).expect(200);
      expect(other.body.viewCount).toBe(2);
      const anonymous = await t.http().get(url).expect(200);
      expect(anonymous.body.viewCount).toBe(3);
      await t.http().get(url).expect(200); // same address
      // a view older than the window counts again
      await t.dataSource
        .getRepository(StoryView)
        .update(
          { storyId: story.id, viewerKey: `u:${traveller.id}` },
          { viewedAt: new Date(Date.now() - 11 * 60 * 1000) },
        );
      const later = await t.http().get(url).set(traveller.auth).expect(200);
      expect(later.body.viewCount).toBe(4);
      expect(
        (await t.dataSource.getRepository(Story).findOneByOrFail({ id: story.id })).viewCount,
      ).toBe(4);
    });

    it('hidden and deleted stories are 404 to others, visible to the author and admins', async () => {
      const hidden = await storyOf(t, guide, { title: 'Hidden one', status: 'hidden' });
      const url = `/api/v1/stories/${hidden.id}`;
      expectError((await t.http().get(url)).body, 404, 'NOT_FOUND');
      expectError((await t.http().get(url).set(traveller.auth)).body, 404, 'NOT_FOUND');
      expect((await t.http().get(url).set(guide.auth).expect(200)).body.status).toBe('hidden');
      await t.http().get(url).set(admin.auth).expect(200);
      expect(
        (await t.dataSource.getRepository(Story).findOneByOrFail({ id: hidden.id })).viewCount,
      ).toBe(0);
      const patch = await t
        .http()
        .patch(url)
        .set(traveller.auth)
        .send({ title: 'mine now' })
        .expect(404);
      expectError(patch.body, 404, 'NOT_FOUND');

      const list = await t.http().get('/api/v1/stories?limit=50').expect(200);
      expect(list.body.items.map((s: { id: number }) => s.id)).not.toContain(hidden.id);
      const mine = await t.http().get('/api/v1/users/me/stories?limit=50').set(guide.auth);
      expect(mine.body.items.map((s: { id: number }) => s.id)).toContain(hidden.id);
    });

    it('GET /users/me/stories lists only my own', async () => {
      const other = await approvedGuide(t);
      const theirs = await storyOf(t, other);
      const res = await t.http().get('/api/v1/users/me/stories?limit=50').set(guide.auth);
      const ids = res.body.items.map((s: { id: number }) => s.id);
      expect(ids).not.toContain(theirs.id);
      expect(
        res.body.items.every((s: { guide: { id: number } }) => s.guide.id === guide.guideId),
      ).toBe(true);
      const empty = await t.http().get('/api/v1/users/me/stories').set(traveller.auth).expect(200);
      expect(empty.body).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('editing and deleting', () => {
    it('the author edits; tags given replace all; others get 403', async () => {
      const story = await storyOf(t, guide, { tags: ['old', 'older'] });
      const res = await t
        .http()
        .patch(`/api/v1/stories/${story.id}`)
        .set(guide.auth)
        .send({ title: 'New title', tags: 'fresh,new' })
        .expect(200);
      expect(res.body).toMatchObject({ title: 'New title', tags: ['fresh', 'new'] });
      expect(
        (await t.dataSource.getRepository(StoryTag).findBy({ storyId: story.id }))
          .map((r) => r.tag)
          .sort(),
      ).toEqual(['fresh', 'new']);
      const other = await approvedGuide(t);
      const forbidden = await t
        .http()
        .patch(`/api/v1/stories/${story.id}`)
        .set(other.auth)
        .send({ title: 'hijack' });
      expectError(forbidden.body, 403, 'FORBIDDEN');
      const asAdmin = await t
        .http()
        .patch(`/api/v1/stories/${story.id}`)
        .set(admin.auth)
        .send({ title: 'admin edit' });
      expectError(asAdmin.body, 403, 'FORBIDDEN');
      await t
        .http()
        .patch(`/api/v1/stories/${story.id}`)
        .set(guide.auth)
        .send({ status: 'hidden' })
        .expect(400);
      expect(
        (await t.dataSource.getRepository(Story).findOneByOrFail({ id: story.id })).title,
      ).toBe('New title');
    });

    it('delete by the author: 204, files removed, 404 afterwards; others 403', async () => {
      const created = await t
        .http()
        .post('/api/v1/stories')
        .set(guide.auth)
        .field('title', 'Short-lived')
        .field('content', 'soon gone')
        .field('category', 'food')
        .field('regionId', String((await regionByCode(t)).id))
        .attach('media', await png(), 'a.png')
        .expect(201);
      const id = created.body.id as number;
      const files = created.body.media.flatMap((m: { url: string; thumbnailUrl: string }) => [
        fileOf(m.url),
        fileOf(m.thumbnailUrl),
      ]);
      expect(files.every((f: string) => existsSync(f))).toBe(true);

      expectError(
        (await t.http().delete(`/api/v1/stories/${id}`).set(traveller.auth)).body,
        403,
        'FORBIDDEN',
      );
      await t.http().delete(`/api/v1/stories/${id}`).set(guide.auth).expect(204);
      expect(files.some((f: string) => existsSync(f))).toBe(false);
      expect(await t.dataSource.getRepository(StoryMedia).countBy({ storyId: id })).toBe(0);
      expect((await t.dataSource.getRepository(Story).findOneByOrFail({ id })).status).toBe(
        'deleted',
      );
      await t.http().get(`/api/v1/stories/${id}`).set(traveller.auth).expect(404);
      await t.http().delete(`/api/v1/stories/${id}`).set(guide.auth).expect(404);
    });

    it('an admin may delete anyone’s story', async () => {
      const story = await storyOf(t, guide);
      await t.http().delete(`/api/v1/stories/${story.id}`).set(admin.auth).expect(204);
      await t.http().get(`/api/v1/stories/${story.id}`).expect(404);
      expect(
        await t.dataSource
          .getRepository(AuditLog)
          .findBy({ targetType: 'story', targetId: story.id }),
      ).toEqual([
        expect.objectContaining({ adminId: admin.id, action: 'story.delete', targetId: story.id }),
      ]);
    });

    it('adds and removes media; never more than 10 per story', async () => {
      const story = await storyOf(t, guide);
      const photo = await jpeg(120, 90);
      let add = t.http().post(`/api/v1/stories/${story.id}/media`).set(guide.auth);
      for (let i = 0; i < 9; i++) add = add.attach('media', photo, `p${i}.jpg`);
      const added = await add.expect(201);
      expect(added.body.mediaCount).toBe(9);
      expect(added.body.media.map((m: { order: number }) => m.order)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8,
      ]);

      const tooMany = await t
        .http()
        .post(`/api/v1/stories/${story.id}/media`)
        .set(guide.auth)
        .attach('media', photo, 'a.jpg')
        .attach('media', photo, 'b.jpg')
        .expect(400);
      expectError(tooMany.body, 400, 'VALIDATION_FAILED');

      const first = added.body.media[0];
      await t
        .http()
        .delete(`/api/v1/stories/${story.id}/media/${first.id}`)
        .set(traveller.auth)
        .expect(403);
      await t
        .http()
        .delete(`/api/v1/stories/${story.id}/media/${first.id}`)
        .set(guide.auth)
        .expect(204);
      expect(existsSync(fileOf(first.url))).toBe(false);
      expect(existsSync(fileOf(first.thumbnailUrl))).toBe(false);
      await t
        .http()
        .delete(`/api/v1/stories/${story.id}/media/${first.id}`)
        .set(guide.auth)
        .expect(404);
      const detail = await t.http().get(`/api/v1/stories/${story.id}`).expect(200);
      expect(detail.body.mediaCount).toBe(8);
      expect(detail.body.thumbnailUrl).toBe(added.body.media[1].thumbnailUrl);
      expect(
        (await t.dataSource.getRepository(Story).findOneByOrFail({ id: story.id })).mediaCount,
      ).toBe(await t.dataSource.getRepository(StoryMedia).countBy({ storyId: story.id }));
    });

    it('a withdrawn guide’s stories are unpublished, and their files deleted', async () => {
      const leaving = await approvedGuide(t);
      const story = await storyOf(t, leaving);
      const withPhoto = await t
        .http()
        .post('/api/v1/stories')
        .set(leaving.auth)
        .field('title', 'Leaving soon')
        .field('content', 'The last walk.')
        .field('category', 'nature')
        .field('regionId', String(story.regionId))
        .attach('media', await jpeg(320, 240), 'last.jpg')
        .expect(201);
      const files = [withPhoto.body.media[0].url, withPhoto.body.media[0].thumbnailUrl].map(fileOf);
      expect(files.filter((file) => existsSync(file))).toHaveLength(2);
      await t.http().get(`/api/v1/stories/${story.id}`).expect(200);

      await t.http().delete('/api/v1/users/me').set(leaving.auth).expect(204);
      await t.http().get(`/api/v1/stories/${story.id}`).expect(404);
      await t.http().get(`/api/v1/stories/${withPhoto.body.id}`).expect(404);
      const list = await t.http().get(`/api/v1/stories?guideId=${leaving.guideId}`).expect(200);
      expect(list.body.items).toEqual([]);
      // deleted by a job (the withdrawal does not wait for the storage)
      await waitFor(() => files.every((file) => !existsSync(file)), 'the files to go', 5000);
    });
  });
  describe('hostile input', () => {
    // a string is sent as the raw JSON text (for numbers JSON.stringify cannot write, like 1e999)
    const cursor = (value: unknown) =>
      Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

    it('cursors of the wrong shape or type are 400 on every list, never 500', async () => {
      const story = await storyOf(t, guide);
      const lists: [string, unknown[]][] = [
        ['/api/v1/stories', [['abc'], [1.5], [0], [2 ** 31], [null], [1, 2]]],
        ['/api/v1/stories?sort=popular', [['abc', 1], '[1e999,1]', [1, 'x'], [1]]],
        [`/api/v1/stories/${story.id}/comments`, [['abc'], [-1]]],
        [
          '/api/v1/guides',
          [
            ['abc', 'x'],
            ['2020-01-01', 1],
          ],
        ],
        [
          '/api/v1/guides?sort=rating',
          [
            ['abc', 'x', 'y'],
            [1, 2, 'z'],
          ],
        ],
        [`/api/v1/guides/${guide.guideId}/stories`, [['abc']]],
        ['/api/v1/users/me/likes', ['["2020-01-01T00:00:00Z",1e999]', ['yesterday', 1]]],
        ['/api/v1/users/me/bookmarks', [[1, 1]]],
        ['/api/v1/users/me/stories', [['1']]],
      ];
      for (const [path, cursors] of lists) {
        for (const value of cursors) {
          const sep = path.includes('?') ? '&' : '?';
          const res = await t
            .http()
            .get(`${path}${sep}cursor=${cursor(value)}`)
            .set(traveller.auth);
          expect({ path, value, status: res.status }).toEqual({ path, value, status: 400 });
          expectError(res.body, 400, 'VALIDATION_FAILED');
        }
      }
    });

    it('refuses uploads from callers who may not upload before reading the files', async () => {
      // 11 files would be a 400 from the upload parser: a 403/404 proves the check ran first
      const photo = await jpeg();
      const send = (path: string, who: SignedIn) => {
        let req = t.http().post(path).set(who.auth).field('title', 'x');
        for (let i = 0; i < 11; i++) req = req.attach('media', photo, `p${i}.jpg`);
        return req;
      };
      expectError((await send('/api/v1/stories', traveller)).body, 403, 'GUIDE_REQUIRED');
      const story = await storyOf(t, guide);
      const other = await approvedGuide(t);
      expectError((await send(`/api/v1/stories/${story.id}/media`, other)).body, 403, 'FORBIDDEN');
      expectError((await send('/api/v1/stories/2000000000/media', guide)).body, 404, 'NOT_FOUND');
      expect(readdirSync(join(t.uploadDir, '.tmp'))).toEqual([]);
    });

    it('a withdrawn guide leaves the public guide list and pages', async () => {
      const leaving = await approvedGuide(t);
      await t.http().get(`/api/v1/guides/${leaving.guideId}`).expect(200);
      await t.http().delete('/api/v1/users/me').set(leaving.auth).expect(204);
      await t.http().get(`/api/v1/guides/${leaving.guideId}`).expect(404);
      const list = await t.http().get('/api/v1/guides?limit=50').expect(200);
      expect(list.body.items.map((g: { id: number }) => g.id)).not.toContain(leaving.guideId);
    });

    it('null where a field may only be left out is 400 and changes nothing', async () => {
      const story = await storyOf(t, guide, { title: 'Unchanged' });
      for (const field of ['title', 'content', 'category', 'regionId', 'tags']) {
        const res = await t
          .http()
          .patch(`/api/v1/stories/${story.id}`)
          .set(guide.auth)
          .send({ [field]: null });
        expect({ field, status: res.status }).toEqual({ field, status: 400 });
        expect(res.body.details[0].field).toBe(field);
      }
      expect(
        (await t.dataSource.getRepository(Story).findOneByOrFail({ id: story.id })).title,
      ).toBe('Unchanged');
      for (const body of [{ introduction: null }, { languages: null }, { regionIds: null }]) {
        await t.http().patch('/api/v1/guides/me').set(guide.auth).send(body).expect(400);
      }
      await t
        .http()
        .patch('/api/v1/users/me')
        .set(traveller.auth)
        .send({ nickname: null })
        .expect(400);
      await t
        .http()
        .post(`/api/v1/stories/${story.id}/comments`)
        .set(traveller.auth)
        .send({ content: 'hi', parentId: null })
        .expect(400);
    });
  });
});

describe('story lists', () => {
  let t: TestApp;
  let a: GuideFixture;
  let b: GuideFixture;
  let viewer: SignedIn;

  beforeAll(async () => {
    t = await createTestApp();
    a = await approvedGuide(t, 'guideA');
    b = await approvedGuide(t, 'guideB');
    viewer = await signIn(t, { kakaoId: uniqueKakaoId() });
  });
  afterAll(async () => t.close());

  it('filters by region (with the areas under it), category, guide, tag and q', async () => {
    const jeju = await regionByCode(t, 'jeju');
    const seogwipo = await regionByCode(t, 'jeju-seogwipo');
    const busan = await regionByCode(t, 'busan');
    const s1 = await storyOf(t, a, { regionId: jeju.id, category: 'food', tags: ['noodle'] });
    const s2 = await storyOf(t, a, {
      regionId: seogwipo.id,
      category: 'nature',
      title: 'Waterfall 100% worth it',
      tags: ['falls'],
    });
    const s3 = await storyOf(t, b, {
      regionId: busan.id,
      category: 'food',
      content: 'Pork soup (dwaeji-gukbap) at the market',
      tags: ['noodle', 'soup'],
    });
    await storyOf(t, b, { regionId: busan.id, category: 'food', status: 'hidden', tags: ['soup'] });

    const ids = async (qs: string) =>
      (await t.http().get(`/api/v1/stories?limit=50&${qs}`).expect(200)).body.items.map(
        (s: { id: number }) => s.id,
      );
    expect(await ids(`regionId=${jeju.id}`)).toEqual([s2.id, s1.id]);
    expect(await ids(`regionId=${seogwipo.id}`)).toEqual([s2.id]);
    expect(await ids('category=food')).toEqual([s3.id, s1.id]);
    expect(await ids(`guideId=${b.guideId}`)).toEqual([s3.id]);
    expect(await ids('tag=NOODLE')).toEqual([s3.id, s1.id]);
    expect(await ids('q=gukbap')).toEqual([s3.id]);
    expect(await ids('q=falls')).toEqual([s2.id]); // tags are searched too
    expect(await ids(`q=${encodeURIComponent('100%')}`)).toEqual([s2.id]); // no wildcard
    expect(await ids(`category=food&regionId=${jeju.id}`)).toEqual([s1.id]);
    expect(await ids('regionId=999999')).toEqual([]);
    const bad = await t.http().get('/api/v1/stories?category=nope&limit=0&sort=best').expect(400);
    expect((bad.body.details as { field: string }[]).map((d) => d.field).sort()).toEqual([
      'category',
      'limit',
      'sort',
    ]);
    expectError(
      (await t.http().get('/api/v1/stories?cursor=garbage').expect(400)).body,
      400,
      'VALIDATION_FAILED',
    );
  });

  it('sort=popular orders by likes·3 + comments·2 + bookmarks·2 + views·0.1, then newest', async () => {
    const region = await regionByCode(t, 'daegu');
    const low = await storyOf(t, a, { regionId: region.id, likeCount: 1 }); // 3
    const views = await storyOf(t, a, { regionId: region.id, viewCount: 31 }); // 3.1
    const mixed = await storyOf(t, b, {
      regionId: region.id,
      commentCount: 1,
      bookmarkCount: 1,
    }); // 4
    const tieOld = await storyOf(t, b, { regionId: region.id, likeCount: 2 }); // 6
    const tieNew = await storyOf(t, b, { regionId: region.id, commentCount: 3 }); // 6
    const res = await t
      .http()
      .get(`/api/v1/stories?regionId=${region.id}&sort=popular&limit=50`)
      .expect(200);
    expect(res.body.items.map((s: { id: number }) => s.id)).toEqual([
      tieNew.id,
      tieOld.id,
      mixed.id,
      views.id,
      low.id,
    ]);
  });

  it('cursor paging has no duplicates or gaps while new stories arrive, in both sorts', async () => {
    const region = await regionByCode(t, 'ulsan');
    const initial: number[] = [];
    for (let i = 0; i < 7; i++) {
      initial.push((await storyOf(t, i % 2 ? a : b, { regionId: region.id, likeCount: i % 3 })).id);
    }
    for (const sort of ['latest', 'popular']) {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const qs: string = `regionId=${region.id}&sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await t.http().get(`/api/v1/stories?${qs}`).expect(200);
        seen.push(...res.body.items.map((s: { id: number }) => s.id));
        cursor = res.body.nextCursor;
        pages += 1;
        // someone publishes between page loads
        await storyOf(t, a, { regionId: region.id });
      } while (cursor && pages < 10);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(expect.arrayContaining(initial));
      expect(pages).toBeGreaterThanOrEqual(3);
    }
  });

  it('summaries carry likedByMe / bookmarkedByMe for the caller, in a fixed number of queries', async () => {
    const region = await regionByCode(t, 'sejong');
    const stories: Story[] = [];
    for (let i = 0; i < 12; i++)
      stories.push(await storyOf(t, i % 2 ? a : b, { regionId: region.id, tags: ['x', `t${i}`] }));
    await t.dataSource
      .getRepository(StoryLike)
      .insert({ storyId: stories[3].id, userId: viewer.id });

    const count = async (limit: number) => {
      const spy = jest.spyOn(t.dataSource.logger, 'logQuery');
      const res = await t
        .http()
        .get(`/api/v1/stories?regionId=${region.id}&limit=${limit}`)
        .set(viewer.auth)
        .expect(200);
      const queries = spy.mock.calls.length;
      spy.mockRestore();
      return { res, queries };
    };
    const small = await count(2);
    const large = await count(12);
    expect(large.res.body.items).toHaveLength(12);
    expect(large.queries).toBe(small.queries);
    const liked = large.res.body.items.find((s: { id: number }) => s.id === stories[3].id);
    expect(liked).toMatchObject({ likedByMe: true, bookmarkedByMe: false });
    expect(large.res.body.items.filter((s: { likedByMe: boolean }) => s.likedByMe)).toHaveLength(1);
    const anonymous = await t.http().get(`/api/v1/stories?regionId=${region.id}`).expect(200);
    expect(anonymous.body.items.every((s: { likedByMe: boolean }) => !s.likedByMe)).toBe(true);
  });
});
