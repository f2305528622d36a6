import { CallHandler, ExecutionContext, Injectable, NestInterceptor, Type } from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { finalize, Observable } from 'rxjs';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { mediaTempDir } from './media-storage';
import { UploadSlots } from './upload-slots';

/** The multipart field that carries media files. */
export const MEDIA_FIELD = 'media';
/** Files per request (docs/api.md, Stories and media: 0–10 per story). */
export const MAX_MEDIA_FILES = 10;

const FIELD_SIZE = 64 * 1024;

export function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Number(mb.toFixed(1))} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Temp paths named for one request, so a failure can remove even half-written files. */
const namedPaths = new WeakMap<Request, string[]>();

/** The body stopped: no byte for UPLOAD_STALL_TIMEOUT_MS. */
class UploadStalled extends Error {}

async function removeQuietly(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((path) => unlink(path).catch(() => undefined)));
}

function uploadError(error: unknown, config: AppConfig): unknown {
  if (error instanceof MulterError) {
    const field = { field: error.field ?? MEDIA_FIELD };
    switch (error.code) {
      case 'LIMIT_FILE_SIZE':
        return new DomainException(
          'PAYLOAD_TOO_LARGE',
          `A file may be at most ${formatBytes(config.media.maxVideoBytes)} ` +
            `(images at most ${formatBytes(config.media.maxImageBytes)})`,
          [{ field: MEDIA_FIELD, errors: ['file too large'] }],
        );
      case 'LIMIT_FILE_COUNT':
        return tooManyFiles();
      case 'LIMIT_UNEXPECTED_FILE':
        // multer reports both a file in another field and the 11th file in `media` this way.
        return error.field === MEDIA_FIELD
          ? tooManyFiles()
          : new DomainException(
              'VALIDATION_FAILED',
              `Unexpected file in field "${error.field}"; files go in field "${MEDIA_FIELD}"`,
              [{ ...field, errors: [`files are only accepted in field "${MEDIA_FIELD}"`] }],
            );
      case 'LIMIT_FIELD_VALUE':
        return new DomainException(
          'PAYLOAD_TOO_LARGE',
          `Form field "${error.field}" is longer than ${formatBytes(FIELD_SIZE)}`,
          [{ ...field, errors: ['value too long'] }],
        );
      default:
        return new DomainException('VALIDATION_FAILED', `Invalid multipart form: ${error.message}`);
    }
  }
  // busboy's parse errors ("Unexpected end of form", "Malformed part header") carry no
  // errno; file system errors (ENOSPC, EACCES) do and stay server errors.
  if (error instanceof Error && !(error as NodeJS.ErrnoException).syscall) {
    return new DomainException('VALIDATION_FAILED', `Malformed multipart body: ${error.message}`);
  }
  return error;
}

function tooManyFiles(): DomainException {
  return new DomainException(
    'VALIDATION_FAILED',
    `At most ${MAX_MEDIA_FILES} files may be sent in field "${MEDIA_FIELD}"`,
    [{ field: MEDIA_FIELD, errors: [`at most ${MAX_MEDIA_FILES} files`] }],
  );
}

/**
 * Parses `multipart/form-data` for routes that accept media: up to 10 files in field `media`,
 * streamed to random names in the upload temp dir (never buffered in memory), text fields
 * into `req.body` for the route's DTO, files into `req.files` (`@UploadedFiles()`). Requests
 * that are not multipart (plain JSON) pass untouched.
 *
 * Temp files never outlive the request: MediaService.ingest moves them into storage, and
 * whatever is left when the handler finishes or fails (validation error, ingest refused,
 * upload aborted) is deleted here.
 *
 * Slow clients (docs/api.md, Operations): a user runs at most `UPLOADS_PER_USER` uploads at once (more → 429
 * before any byte of the body is read), and a body that sends nothing for
 * `UPLOAD_STALL_TIMEOUT_MS` is answered 408 with `Connection: close`, its temp files removed.
 */
@Injectable()
export class MediaUploadInterceptor implements NestInterceptor {
  private readonly upload: RequestHandler;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly slots: UploadSlots,
  ) {
    const tempDir = mediaTempDir(config);
    mkdirSync(tempDir, { recursive: true });
    this.upload = multer({
      storage: multer.diskStorage({
        destination: tempDir,
        filename: (req, _file, callback) => {
          const path = randomBytes(16).toString('hex');
          const list = namedPaths.get(req) ?? [];
          list.push(join(tempDir, path));
          namedPaths.set(req, list);
          callback(null, path);
        },
      }),
      limits: {
        fileSize: config.media.maxVideoBytes,
        files: MAX_MEDIA_FILES,
        fields: 50,
        fieldSize: FIELD_SIZE,
        parts: 70,
      },
    }).array(MEDIA_FIELD, MAX_MEDIA_FILES);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { user?: AuthUser }>();
    const res = http.getResponse<Response>();
    if (!req.is('multipart')) return next.handle();

    if (req.user) {
      const release = this.slots.take(req.user.id);
      // held until the response is over, whatever the outcome
      res.once('close', release);
      if (req.socket.destroyed) release(); // the client left while the guards ran
    }

    try {
      await this.receive(req, res);
    } catch (error) {
      // multer removes the files it knows about; this also catches one cut off mid-write.
      await this.cleanUp(req);
      if (error instanceof UploadStalled) {
        // The client still holds the connection: the answer ends it, and multer drops the
        // rest of the body when it closes.
        res.setHeader('Connection', 'close');
        throw new DomainException(
          'REQUEST_TIMEOUT',
          `The upload stalled: no data for ${this.config.http.uploadStallTimeoutMs / 1000} s`,
        );
      }
      throw uploadError(error, this.config);
    }

    return next.handle().pipe(
      finalize(() => {
        void this.cleanUp(req);
      }),
    );
  }

  /**
   * Streams the body through multer; rejects with {@link UploadStalled} when no byte arrives
   * for UPLOAD_STALL_TIMEOUT_MS (there is no bound on the whole upload: a big file over a slow
   * line takes as long as it takes while bytes keep coming).
   */
  private receive(req: Request, res: Response): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        // the whole body is in: multer is finishing its writes
        if (req.complete) return;
        // paused because the disk is slower than the client: not the client's stall
        if (req.readableFlowing === false) return timer.refresh();
        settle(new UploadStalled());
      }, this.config.http.uploadStallTimeoutMs);
      timer.unref();
      const touch = () => timer.refresh();
      const settle = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.off('data', touch);
        if (error) reject(error);
        else resolve();
      };

      this.upload(req, res, (error?: unknown) => settle(error));
      // multer pipes the body into busboy; this listener only watches the bytes go by
      if (!settled) req.on('data', touch);
    });
  }

  private async cleanUp(req: Request): Promise<void> {
    const paths = namedPaths.get(req) ?? [];
    namedPaths.delete(req);
    await removeQuietly(paths);
  }
}

/** For `@UseInterceptors(mediaUploadInterceptor())` on routes that accept media files. */
export function mediaUploadInterceptor(): Type<NestInterceptor> {
  return MediaUploadInterceptor;
}
