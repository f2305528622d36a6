import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppModule } from './app.module';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { finishErrorExamples } from './common/decorators/api-errors.decorator';
import { ErrorBodyDto } from './common/errors/error-body.dto';
import { addDays, dateIn } from './common/time/zoned';
import { HttpServerAdapter } from './common/http/http-server.adapter';
import { AppLogger, ROOT_LOGGER } from './common/logging/app-logger';
import { requestLog } from './common/logging/request-log';
import { createValidationPipe } from './common/validation/validation';
import { serveMedia } from './media/media-serving';
import { AppMetrics } from './metrics/app-metrics';

export const API_PREFIX = 'api/v1';

const SWAGGER_DESCRIPTION = `
Story Book connects travellers with local guides through stories.

**Auth.** Sign in with \`POST /api/v1/auth/kakao\` (or \`POST /api/v1/auth/dev-login\` when the
server runs with \`AUTH_DEV_LOGIN=true\`), then press *Authorize* and paste the \`accessToken\`.

**Errors** always have the shape \`{ statusCode, code, message, details?, requestId, path, timestamp }\`;
each route lists the codes it can answer with, an example each. Any route can also answer 503
SERVICE_UNAVAILABLE (with \`Retry-After\`) when the database does not answer in time. Every code
is explained in \`docs/api.md\` in the repository, the chat's Socket.IO protocol in
\`docs/asyncapi.yaml\`.

**Lists** take \`?limit=\` (1–50, default 20) and \`?cursor=\` (the previous page's \`nextCursor\`).

**Input.** Ids are plain decimal integers: \`01\`, \`0x1\`, \`1e0\`, \`+1\` are 400 VALIDATION_FAILED.
Text fields refuse control characters (\`\\r\` included), bidirectional overrides and isolates
and unpaired surrogates; line breaks and tabs only in multi-line fields (bio, introduction,
career, story content, comments, chat messages, matching messages, reviews, reasons, report
details and notes): 400 VALIDATION_FAILED naming the field.
`;

const ADMIN_TAG_DESCRIPTION = `
Moderation and back office, for accounts with the role \`admin\` only (others: 403 FORBIDDEN;
no token: 401). First admins come from \`ADMIN_KAKAO_IDS\` or \`npm run cli -- grant-admin <id>\`.
Every action writes one entry to \`GET /admin/audit-logs\` (admin, action, target, reason) in the
same transaction as the action.

Moderation flow: find the account with \`GET /admin/users?q=\`; \`POST /admin/users/{id}/suspend\`
(revokes its refresh tokens, drops its sockets, the next request is 403 ACCOUNT_SUSPENDED; with
\`until\` it ends by itself) and \`/unsuspend\`; \`POST /admin/stories/{id}/hide\` (the author is
notified, CONTENT_HIDDEN) and \`/unhide\`; \`DELETE /admin/comments/{id}\`; reports, guide
applications and \`GET /admin/stats\` for the dashboard.
`;

type SchemaMap = Record<string, { properties?: Record<string, { example?: unknown }> }>;

/**
 * Examples that a fixed value would make stale: a matching request's `desiredDate` (valid from
 * today to today + 365 days in SERVICE_TIME_ZONE) is 30 days after `now`, a timed suspension
 * ends 7 days after it. So Swagger UI's "Try it out" works as filled in, on any day.
 */
function setDatedExamples(doc: OpenAPIObject, now: Date, timeZone: string): void {
  const schemas = (doc.components?.schemas ?? {}) as SchemaMap;
  const set = (schema: string, property: string, example: string) => {
    const target = schemas[schema]?.properties?.[property];
    if (target) target.example = example;
  };
  const tripDate = addDays(dateIn(now, timeZone), 30);
  set('CreateMatchingRequestDto', 'desiredDate', tripDate);
  set('MatchingRequestDto', 'desiredDate', tripDate);
  set('SuspendUserDto', 'until', `${addDays(dateIn(now, 'UTC'), 7)}T15:00:00Z`);
}

/** The tags in the order of a user's journey: Swagger UI shows them so. */
const TAGS: [name: string, description?: string][] = [
  ['auth', 'Sign in (dev-login first, for trying things out here), refresh, sign out.'],
  ['users', 'The signed-in user, public profiles, blocks, likes and bookmarks, data export.'],
  ['guides', 'Applying as a guide, and guide profiles.'],
  ['regions', 'Regions for filters and the map.'],
  ['stories', 'Stories with photos and videos, reactions and comments.'],
  ['matching', 'Matching requests from travellers to guides, and reviews.'],
  ['chat', 'Chat rooms of accepted requests (REST; the socket protocol is in docs/asyncapi.yaml).'],
  ['notifications', 'Notifications, push devices and notification settings.'],
  ['reports', 'Reporting content and people.'],
  ['admin', ADMIN_TAG_DESCRIPTION],
  ['health', 'For load balancers and monitoring.'],
];

/**
 * The OpenAPI document of the app's routes (Swagger UI, `npm run docs:openapi`). Examples that
 * must be valid when sent (dates from today on) are computed from `now`.
 */
export function openApiDocument(app: NestExpressApplication, now = new Date()): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Story Book API')
    .setDescription(SWAGGER_DESCRIPTION)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const doc = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [ErrorBodyDto],
  });
  setDatedExamples(doc, now, app.get<AppConfig>(APP_CONFIG).lifecycle.timeZone);
  return finishErrorExamples(doc);
}

/**
 * Everything the HTTP application needs besides its modules: the HTTP server (timeouts for
 * slow clients, graceful stop), prefix, validation, security headers, CORS, static media,
 * Swagger, shutdown hooks. main.ts and the tests both use it, so the tests run the real app.
 */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config),
    new HttpServerAdapter(config.http),
    { bufferLogs: true },
  );
  app.useLogger(app.get(AppLogger));
  // first, so that every request gets its id and its log line, refused ones included; with
  // metrics on, its duration goes to the request histogram at the same point
  app.use(
    requestLog(
      app.get(ROOT_LOGGER),
      config.metrics.enabled ? app.get(AppMetrics).observeRequest : undefined,
    ),
  );
  app.set('trust proxy', config.trustProxy);
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });

  // upgrade-insecure-requests and HSTS only when the public address is https: over plain HTTP
  // (any host but localhost) the browser would fetch Swagger UI's own scripts over https and
  // show a blank page
  const servedOverHttps = config.publicBaseUrl?.toLowerCase().startsWith('https://') ?? false;
  app.use(
    helmet({
      // Swagger UI loads its own scripts and styles from this origin
      contentSecurityPolicy: {
        directives: {
          'img-src': ["'self'", 'data:', 'https:'],
          'upgrade-insecure-requests': servedOverHttps ? [] : null,
        },
      },
      strictTransportSecurity: servedOverHttps,
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  app.enableCors(
    config.corsOrigins.length > 0
      ? {
          origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
          credentials: true,
          exposedHeaders: ['X-Request-Id', 'Retry-After'],
        }
      : { origin: false },
  );

  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(createValidationPipe());
  // only published media: files on disk, or redirects to the bucket
  serveMedia(app, config);

  if (config.swaggerEnabled) {
    // built on the first request of /docs or /docs-json, not at start (it walks every route)
    SwaggerModule.setup('docs', app, () => openApiDocument(app), {
      jsonDocumentUrl: 'docs-json',
      swaggerOptions: { persistAuthorization: true },
    });
  }

  app.enableShutdownHooks();
  return app;
}
