import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateOpenApiJson } from '../src/cli/openapi';
import { ErrorCode } from '../src/common/errors/error-codes';
import { User } from '../src/users/entities/user.entity';
import { approvedGuide, GuideFixture, storyOf } from './support/fixtures';
import { dateIn } from './support/domain-fixtures';
import { OpenApiDocument, requestPrefills } from './support/swagger-sample';
import { createTestApp, TestApp } from './support/test-app';
import { signIn, SignedIn } from './support/users';

/**
 * The OpenAPI document: docs/openapi.json is what the code generates, error responses name
 * real codes with an example each, tags follow a user's journey, and every request body
 * Swagger UI fills in is accepted as it is (no 400).
 */

interface ErrorExample {
  summary: string;
  value: Record<string, unknown>;
}
interface Operation {
  tags: string[];
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<
    string,
    {
      description: string;
      content?: Record<string, { examples?: Record<string, ErrorExample> }>;
    }
  >;
}
type Paths = Record<string, Record<string, Operation>>;

const ROOT = resolve(__dirname, '..');

function operations(paths: Paths): [string, string, Operation][] {
  return Object.entries(paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => [method, path, op] as [string, string, Operation]),
  );
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let served: { paths: Paths; tags: { name: string }[] };

  beforeAll(async () => {
    t = await createTestApp();
    served = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(async () => t?.close());

  it('docs/openapi.json is what `npm run docs:openapi` generates from the code', async () => {
    const committed = readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8');
    const generated = await generateOpenApiJson();
    // not toEqual on the text: a failure would print the whole document
    const differing = generated === committed ? null : firstDifference(committed, generated);
    expect({ differing, fix: 'npm run docs:openapi' }).toEqual({
      differing: null,
      fix: 'npm run docs:openapi',
    });
    // nothing of the machine or the moment in it
    expect(generated).not.toMatch(/127\.0\.0\.1|localhost:\d+|storybook-openapi-|\/tmp\//);
  }, 60_000);

  it('lists the tags in the order of a user journey, dev-login first under auth', () => {
    expect(served.tags.map((tag) => tag.name)).toEqual([
      'auth',
      'users',
      'guides',
      'regions',
      'stories',
      'matching',
      'chat',
      'notifications',
      'reports',
      'admin',
      'health',
    ]);
    const auth = operations(served.paths).filter(([, , op]) => op.tags.includes('auth'));
    expect(auth[0].slice(0, 2)).toEqual(['post', '/api/v1/auth/dev-login']);
  });

  it('documents per route the error codes it returns, each a real code with its own example', () => {
    const problems: string[] = [];
    let examples = 0;
    for (const [method, path, op] of operations(served.paths)) {
      if (path === '/health') continue; // its 503 is the health report, not an error body
      const where = `${method.toUpperCase()} ${path}`;
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const named = response.content?.['application/json']?.examples ?? {};
        if (Object.keys(named).length === 0) problems.push(`${where} ${status}: no examples`);
        for (const [code, example] of Object.entries(named)) {
          examples += 1;
          if (!(code in ErrorCode)) problems.push(`${where} ${status}: unknown code ${code}`);
          else if (ErrorCode[code as ErrorCode] !== Number(status)) {
            problems.push(`${where} ${status}: ${code} is ${ErrorCode[code as ErrorCode]}`);
          }
          const body = example.value;
          if (body.code !== code || body.statusCode !== Number(status)) {
            problems.push(`${where} ${status}: example of ${code} says ${body.code}`);
          }
          if (body.path !== path.replace(/\{[^}]+\}/g, '1')) {
            problems.push(`${where}: example path ${String(body.path)}`);
          }
          if (!response.description.includes(`\`${code}\``)) {
            problems.push(`${where} ${status}: ${code} not described`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(examples).toBeGreaterThan(200);

    const codesOf = (method: string, path: string, status: number) =>
      Object.keys(
        served.paths[path][method].responses[status]?.content?.['application/json']?.examples ?? {},
      );
    // the routes the issue named, and a few that must not borrow another route's codes
    expect(codesOf('post', '/api/v1/stories', 403)).toEqual(
      expect.arrayContaining(['GUIDE_REQUIRED', 'ACCOUNT_SUSPENDED']),
    );
    expect(codesOf('post', '/api/v1/matching-requests/{id}/review', 409).sort()).toEqual([
      'MATCHING_INVALID_STATE',
      'REVIEW_EXISTS',
      'REVIEW_WINDOW_CLOSED',
    ]);
    expect(codesOf('post', '/api/v1/auth/refresh', 401).sort()).toEqual([
      'REFRESH_TOKEN_REUSED',
      'TOKEN_EXPIRED',
      'UNAUTHORIZED',
    ]);
    expect(served.paths['/api/v1/users/me'].get.responses[409]).toBeUndefined();
    expect(served.paths['/api/v1/users/me'].get.responses[400]).toBeUndefined();
    expect(codesOf('get', '/api/v1/admin/stats', 403).sort()).toEqual([
      'ACCOUNT_SUSPENDED',
      'FORBIDDEN',
    ]);
    // Kakao's unlink callback: outside every rate limit, and a KakaoAK key rather than a bearer
    const unlink = served.paths['/api/v1/auth/kakao/unlink'].post;
    expect(Object.keys(unlink.responses).sort()).toEqual(['200', '400', '401', '404']);
    expect(unlink.security).toBeUndefined();
  });

  describe('example request bodies, sent as Swagger UI fills them in', () => {
    let admin: SignedIn;
    let traveler: SignedIn;
    let guide: GuideFixture;

    beforeAll(async () => {
      admin = await signIn(t);
      await t.dataSource.getRepository(User).update(admin.id, { role: 'admin' });
      traveler = await signIn(t);
      guide = await approvedGuide(t);
    });

    const api = (path: string) => `/api/v1${path}`;

    /** A pending matching request of `traveler` for a new story of `guide`. */
    async function pendingRequest(): Promise<{ id: number; storyId: number }> {
      const story = await storyOf(t, guide);
      const res = await t
        .http()
        .post(api('/matching-requests'))
        .set(traveler.auth)
        .send({ storyId: story.id, desiredDate: dateIn(10) })
        .expect(201);
      return { id: res.body.id, storyId: story.id };
    }

    async function accepted(): Promise<{ id: number; chatRoomId: number }> {
      const { id } = await pendingRequest();
      const res = await t
        .http()
        .post(api(`/matching-requests/${id}/accept`))
        .set(guide.auth)
        .expect(200);
      return { id, chatRoomId: res.body.chatRoomId };
    }

    /**
     * For each operation with a request body: who sends it, the ids its path needs, and the
     * body ids that must name real rows (the examples say 1).
     */
    async function contextOf(
      key: string,
    ): Promise<{ as?: SignedIn; path: Record<string, number>; body: Record<string, number> }> {
      switch (key) {
        case 'POST /api/v1/auth/logout':
        case 'PATCH /api/v1/users/me':
        case 'POST /api/v1/guides/apply':
        case 'PUT /api/v1/users/me/devices':
        case 'PATCH /api/v1/users/me/notification-settings':
          return { as: await signIn(t), path: {}, body: {} };
        case 'PATCH /api/v1/guides/me':
        case 'POST /api/v1/stories':
          return { as: guide, path: {}, body: {} };
        case 'PATCH /api/v1/stories/{id}':
          return { as: guide, path: { id: (await storyOf(t, guide)).id }, body: {} };
        case 'POST /api/v1/stories/{id}/comments':
          return { as: traveler, path: { id: (await storyOf(t, guide)).id }, body: {} };
        case 'PATCH /api/v1/comments/{id}': {
          const story = await storyOf(t, guide);
          const comment = await t
            .http()
            .post(api(`/stories/${story.id}/comments`))
            .set(traveler.auth)
            .send({ content: 'First!' })
            .expect(201);
          return { as: traveler, path: { id: comment.body.id }, body: {} };
        }
        case 'POST /api/v1/matching-requests':
          return { as: traveler, path: {}, body: { storyId: (await storyOf(t, guide)).id } };
        case 'POST /api/v1/matching-requests/{id}/reject':
          return { as: guide, path: { id: (await pendingRequest()).id }, body: {} };
        case 'POST /api/v1/matching-requests/{id}/review': {
          const { id } = await accepted();
          await t
            .http()
            .post(api(`/matching-requests/${id}/complete`))
            .set(guide.auth)
            .expect(200);
          return { as: traveler, path: { id }, body: {} };
        }
        case 'POST /api/v1/chat/rooms/{id}/messages':
          return { as: traveler, path: { id: (await accepted()).chatRoomId }, body: {} };
        case 'POST /api/v1/chat/rooms/{id}/read': {
          const { chatRoomId } = await accepted();
          const sent = await t
            .http()
            .post(api(`/chat/rooms/${chatRoomId}/messages`))
            .set(guide.auth)
            .send({ content: 'Hello' })
            .expect(201);
          return { as: traveler, path: { id: chatRoomId }, body: { messageId: sent.body.id } };
        }
        case 'POST /api/v1/reports':
          return { as: traveler, path: {}, body: { targetId: (await storyOf(t, guide)).id } };
        case 'POST /api/v1/admin/users/{id}/suspend':
          return { as: admin, path: { id: (await signIn(t)).id }, body: {} };
        case 'POST /api/v1/admin/guides/{id}/reject': {
          const applicant = await signIn(t);
          const applied = await t
            .http()
            .post(api('/guides/apply'))
            .set(applicant.auth)
            .send({ introduction: 'I know every trail here.', languages: ['ko'], regionIds: [1] })
            .expect(201);
          return { as: admin, path: { id: applied.body.id }, body: {} };
        }
        case 'POST /api/v1/admin/guides/{id}/suspend':
          return { as: admin, path: { id: (await approvedGuide(t)).guideId }, body: {} };
        case 'POST /api/v1/admin/stories/{id}/hide':
          return { as: admin, path: { id: (await storyOf(t, guide)).id }, body: {} };
        case 'POST /api/v1/admin/reports/{id}/resolve': {
          const story = await storyOf(t, guide);
          const report = await t
            .http()
            .post(api('/reports'))
            .set(traveler.auth)
            .send({ targetType: 'story', targetId: story.id, reason: 'spam' })
            .expect(201);
          return { as: admin, path: { id: report.body.id }, body: {} };
        }
        default:
          return { path: {}, body: {} };
      }
    }

    /** Bodies that cannot succeed as filled in, by design, and what they answer instead. */
    const EXPECTED_REFUSALS: Record<string, number> = {
      // a placeholder Kakao token and refresh token: the server answers that they are not valid
      'POST /api/v1/auth/kakao': 401,
      'POST /api/v1/auth/refresh': 401,
    };

    it('gets no 400 for any of them (and success where the example can succeed)', async () => {
      const prefills = requestPrefills(served as unknown as OpenApiDocument);
      const answers: Record<string, string | number> = {};
      for (const [key, prefill] of Object.entries(prefills)) {
        const [method, template] = key.split(' ');
        const content = Object.keys(
          served.paths[template][method.toLowerCase()].requestBody!.content,
        );
        const body = { ...(prefill as Record<string, unknown>) };
        // a multipart form with nothing but files: there is nothing to send as filled in
        if (Object.keys(body).length === 0 && content.every((c) => c === 'multipart/form-data')) {
          continue;
        }
        const context = await contextOf(key);
        const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
          if (!(name in context.path)) throw new Error(`${key}: no id for {${name}}`);
          return String(context.path[name]);
        });
        Object.assign(body, context.body);
        const req = t.http()[method.toLowerCase() as 'post' | 'put' | 'patch'](path).send(body);
        if (context.as) req.set(context.as.auth);
        const res = await req;
        answers[key] =
          res.status >= 200 && res.status < 300
            ? 'ok'
            : res.status === 400
              ? `400 ${String(res.body.message)}`
              : res.status;
      }
      const expected = Object.fromEntries(
        Object.keys(answers).map((key) => [key, EXPECTED_REFUSALS[key] ?? 'ok']),
      );
      expect(answers).toEqual(expected);
      expect(Object.keys(answers).length).toBeGreaterThan(20);
    }, 120_000);
  });
});

/** Line number and both lines where two texts first differ. */
function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    if (left[i] !== right[i]) {
      return `line ${i + 1}: committed ${JSON.stringify(left[i])}, generated ${JSON.stringify(right[i])}`;
    }
  }
  return 'identical lines, different text';
}
