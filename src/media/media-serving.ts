import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { resolve } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { isMediaKey, MediaStorage, PUBLIC_MEDIA_KINDS } from './media-storage';
import type { S3MediaStorage } from './s3-media-storage';

/**
 * `GET /uploads/<kind>/<name>`, for published kinds only: videos still being processed
 * (`incoming/`) keep their metadata and are never served.
 *
 * - Local disk: the files, with long cache headers.
 * - S3: 302 to a presigned GET of the object, valid S3_PRESIGN_TTL, so any instance answers
 *   for any upload. The redirect itself may be cached for half that time.
 *
 * Anything else falls through to the API's 404.
 */
export function serveMedia(app: NestExpressApplication, config: AppConfig): void {
  if (config.storage.driver === 'local') {
    for (const kind of PUBLIC_MEDIA_KINDS) {
      app.useStaticAssets(resolve(config.uploadDir, kind), {
        prefix: `/uploads/${kind}/`,
        maxAge: '365d',
        immutable: true,
        index: false,
        dotfiles: 'deny',
        fallthrough: true,
      });
    }
    return;
  }
  const storage = app.get(MediaStorage) as S3MediaStorage;
  const cacheSeconds = Math.floor(storage.presignTtlSeconds / 2);
  const kinds = new Set<string>(PUBLIC_MEDIA_KINDS);
  app.use('/uploads', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const key = req.path.slice(1);
    if (!isMediaKey(key) || !kinds.has(key.slice(0, key.indexOf('/')))) return next();
    storage.presignedGetUrl(key).then((url) => {
      res.setHeader('Cache-Control', `private, max-age=${cacheSeconds}`);
      res.redirect(302, url);
    }, next);
  });
}
