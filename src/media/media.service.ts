import { Injectable, Logger } from '@nestjs/common';
import { fromFile } from 'file-type';
import type {} from 'multer';
import { randomBytes } from 'node:crypto';
import { mkdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { DomainException } from '../common/errors/domain.exception';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import type { MediaType } from './entities/media.entity';
import { extractVideoFrame, probeVideo, resolveFfmpeg, ResolvedFfmpeg, VideoInfo } from './ffmpeg';
import { mediaTempDir, MediaStorage, newMediaKey } from './media-storage';
import { formatBytes } from './media-upload.interceptor';

/** A file stored by {@link MediaService.ingest}, ready to become a Media row. */
export interface IngestedMedia {
  type: MediaType;
  /** Detected from the content, never the client's claim. */
  mimeType: string;
  size: number;
  /** Upright dimensions (EXIF orientation / video rotation applied); null when unknown. */
  width: number | null;
  height: number | null;
  /** Videos only; null for images or when ffmpeg could not tell. */
  durationSec: number | null;
  storageKey: string;
  /** Null when no thumbnail could be made (a video ffmpeg could not read a frame of). */
  thumbnailKey: string | null;
}

/** What ingest needs of an uploaded file; `Express.Multer.File` from the interceptor fits. */
export type UploadedMediaFile = Pick<Express.Multer.File, 'path' | 'originalname'>;

/** Accepted content types by detected MIME type (SPEC §5), with the extension stored. */
const ACCEPTED: Record<string, { type: MediaType; ext: string; mimeType?: string }> = {
  'image/jpeg': { type: 'image', ext: 'jpg' },
  'image/png': { type: 'image', ext: 'png' },
  'image/webp': { type: 'image', ext: 'webp' },
  'image/heic': { type: 'image', ext: 'heic' },
  'image/heif': { type: 'image', ext: 'heif' },
  'video/mp4': { type: 'video', ext: 'mp4' },
  // Apple's M4V brand is an MP4 file.
  'video/x-m4v': { type: 'video', ext: 'mp4', mimeType: 'video/mp4' },
  'video/quicktime': { type: 'video', ext: 'mov' },
  'video/webm': { type: 'video', ext: 'webm' },
};

// libvips keeps recently opened input files open in its cache; uploads are read once and then
// moved or deleted, so holding their descriptors would only keep deleted files' space in use.
sharp.cache({ files: 0 });

/** Thumbnails fit inside this square (pixels). */
export const THUMBNAIL_BOX = 480;
const FFMPEG_TIMEOUT_MS = 30_000;

interface Prepared {
  file: UploadedMediaFile;
  type: MediaType;
  mimeType: string;
  ext: string;
  size: number;
  width: number | null;
  height: number | null;
  durationSec: number | null;
  thumbnailPath: string | null;
}

/**
 * Validates uploaded files by their content, makes thumbnails and keeps both in
 * {@link MediaStorage}. Knows nothing about stories: callers keep the returned keys in their
 * rows and hand them back to {@link remove}.
 */
@Injectable()
export class MediaService {
  private readonly logger = new Logger(MediaService.name);
  private ffmpeg: ResolvedFfmpeg | null = null;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly storage: MediaStorage,
  ) {}

  /**
   * Checks every file, then stores them all, in input order. All or nothing: when any file is
   * refused (415 UNSUPPORTED_MEDIA_TYPE, 413 PAYLOAD_TOO_LARGE) or anything fails, nothing
   * stays stored and the temp files are removed. On success the temp files have been moved.
   */
  async ingest(files: readonly UploadedMediaFile[]): Promise<IngestedMedia[]> {
    const tempDir = mediaTempDir(this.config);
    const temps: string[] = [];
    const stored: string[] = [];
    try {
      await mkdir(tempDir, { recursive: true });
      // Everything is checked (and thumbnails made) before the first file is stored.
      const prepared: Prepared[] = [];
      for (const [index, file] of files.entries()) {
        prepared.push(await this.prepare(file, index, tempDir, temps));
      }

      const result: IngestedMedia[] = [];
      for (const item of prepared) {
        const storageKey = newMediaKey('stories', item.ext);
        stored.push(storageKey);
        await this.storage.put(item.file.path, storageKey);
        let thumbnailKey: string | null = null;
        if (item.thumbnailPath) {
          thumbnailKey = newMediaKey('thumbnails', 'jpg');
          stored.push(thumbnailKey);
          await this.storage.put(item.thumbnailPath, thumbnailKey);
        }
        result.push({
          type: item.type,
          mimeType: item.mimeType,
          size: item.size,
          width: item.width,
          height: item.height,
          durationSec: item.durationSec,
          storageKey,
          thumbnailKey,
        });
      }
      return result;
    } catch (error) {
      await Promise.all(
        [...files.map((file) => file.path), ...temps].map((path) =>
          unlink(path).catch(() => undefined),
        ),
      );
      await this.storage
        .delete(stored)
        .catch((e: Error) => this.logger.error(`Could not undo stored media: ${e.message}`));
      throw error;
    }
  }

  /**
   * Deletes stored files (originals and thumbnails); nulls and missing files are skipped. It
   * runs after the rows are gone, so a storage failure is logged, not thrown: a leftover file
   * is better than failing a change that has already been committed.
   */
  async remove(keys: readonly (string | null | undefined)[]): Promise<void> {
    const present = keys.filter((key): key is string => typeof key === 'string' && key !== '');
    if (present.length === 0) return;
    try {
      await this.storage.delete(present);
    } catch (error) {
      this.logger.error(`Could not delete media files: ${(error as Error).message}`);
    }
  }

  /** The public URL of a stored file, or null for no file. */
  url(key: string | null): string | null {
    return key ? this.storage.publicUrl(key) : null;
  }

  /** The ffmpeg binary, found once on first use (SPEC §5 order). */
  ffmpegBinary(): string {
    if (!this.ffmpeg) {
      this.ffmpeg = resolveFfmpeg({ configured: this.config.media.ffmpegPath });
      this.logger.log(`Using ffmpeg from ${this.ffmpeg.source}: ${this.ffmpeg.path}`);
    }
    return this.ffmpeg.path;
  }

  private async prepare(
    file: UploadedMediaFile,
    index: number,
    tempDir: string,
    temps: string[],
  ): Promise<Prepared> {
    const label = describe(file, index);
    const detected = await fromFile(file.path);
    const accepted = detected ? ACCEPTED[detected.mime] : undefined;
    if (!detected || !accepted) {
      throw new DomainException(
        'UNSUPPORTED_MEDIA_TYPE',
        `${label} is not a supported image (JPEG, PNG, WebP, HEIC) or video (MP4, QuickTime, WebM)`,
        [{ field: 'media', index, errors: ['unsupported media type'] }],
      );
    }
    const { size } = await stat(file.path);
    const limit =
      accepted.type === 'image' ? this.config.media.maxImageBytes : this.config.media.maxVideoBytes;
    if (size > limit) {
      throw new DomainException(
        'PAYLOAD_TOO_LARGE',
        `${label} is ${formatBytes(size)}; ${accepted.type}s may be at most ${formatBytes(limit)}`,
        [{ field: 'media', index, errors: [`${accepted.type} too large`] }],
      );
    }

    const base = {
      file,
      type: accepted.type,
      mimeType: accepted.mimeType ?? detected.mime,
      ext: accepted.ext,
      size,
    };
    const thumbnailPath = join(tempDir, `${randomBytes(16).toString('hex')}.jpg`);
    temps.push(thumbnailPath);
    return accepted.type === 'image'
      ? { ...base, ...(await this.prepareImage(file.path, thumbnailPath, label, index, base)) }
      : { ...base, ...(await this.prepareVideo(file.path, thumbnailPath, label, index)) };
  }

  private async prepareImage(
    path: string,
    thumbnailPath: string,
    label: string,
    index: number,
    detected: { ext: string },
  ): Promise<Pick<Prepared, 'width' | 'height' | 'durationSec' | 'thumbnailPath'>> {
    // sharp's prebuilt libvips decodes HEIF only with AV1 inside; HEVC-coded HEIC (iPhone
    // photos) needs a libvips built with libde265. Say so rather than blame the file.
    const why =
      (detected.ext === 'heic' || detected.ext === 'heif') &&
      !sharp.format.heif.input.fileSuffix?.includes('.heic')
        ? ' (HEVC-coded HEIC is not supported by this server; send JPEG)'
        : '';
    const undecodable = () =>
      new DomainException(
        'UNSUPPORTED_MEDIA_TYPE',
        `${label} could not be decoded as an image${why}`,
        [{ field: 'media', index, errors: ['image does not decode'] }],
      );
    const maxPixels = this.config.media.maxImagePixels;
    // 'truncated' refuses cut-off files while tolerating the harmless warnings many cameras'
    // JPEGs produce ('warning', sharp's default, would refuse those too).
    const options = { failOn: 'truncated', limitInputPixels: false } as const;

    const metadata = await sharp(path, options)
      .metadata()
      .catch(() => null);
    if (!metadata?.width || !metadata.height) throw undecodable();
    // Too many pixels is a size problem of a valid image, so 413 (like too many bytes), not
    // 415; the message names the limit so the client knows what to change.
    if (metadata.width * metadata.height > maxPixels) {
      throw new DomainException(
        'PAYLOAD_TOO_LARGE',
        `${label} exceeds ${Number((maxPixels / 1e6).toFixed(1))} megapixels`,
        [{ field: 'media', index, errors: ['image has too many pixels'] }],
      );
    }

    // Making the thumbnail decodes the whole image, which is the decode check as well.
    try {
      await sharp(path, { ...options, limitInputPixels: maxPixels })
        .rotate()
        .resize(THUMBNAIL_BOX, THUMBNAIL_BOX, { fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 80 })
        .toFile(thumbnailPath);
    } catch {
      throw undecodable();
    }
    const upright = metadata.autoOrient ?? { width: metadata.width, height: metadata.height };
    return { width: upright.width, height: upright.height, durationSec: null, thumbnailPath };
  }

  private async prepareVideo(
    path: string,
    thumbnailPath: string,
    label: string,
    index: number,
  ): Promise<Pick<Prepared, 'width' | 'height' | 'durationSec' | 'thumbnailPath'>> {
    const ffmpeg = this.ffmpegBinary();
    const probe = await probeVideo(ffmpeg, path, FFMPEG_TIMEOUT_MS);
    if (!probe.ok && probe.reason === 'not-a-video') {
      throw new DomainException(
        'UNSUPPORTED_MEDIA_TYPE',
        `${label} does not contain a readable video stream`,
        [{ field: 'media', index, errors: ['video does not decode'] }],
      );
    }
    if (!probe.ok) {
      this.logger.warn(`Cannot inspect ${label} (stored without thumbnail): ${probe.detail}`);
      return { width: null, height: null, durationSec: null, thumbnailPath: null };
    }

    const info: VideoInfo = probe.info;
    const at = info.durationSec !== null && info.durationSec > 1 ? 1 : 0;
    const frame = await extractVideoFrame(
      ffmpeg,
      path,
      thumbnailPath,
      at,
      THUMBNAIL_BOX,
      FFMPEG_TIMEOUT_MS,
    );
    if (!frame.ok) {
      this.logger.warn(`No thumbnail for ${label} (stored without one): ${frame.detail}`);
      await unlink(thumbnailPath).catch(() => undefined);
    }
    return { ...info, thumbnailPath: frame.ok ? thumbnailPath : null };
  }
}

/** "media[2] ("beach.jpg")" — the client's name is only ever echoed back, never used. */
function describe(file: UploadedMediaFile, index: number): string {
  const name = (file.originalname ?? '').replace(/["\p{Cc}]/gu, '').slice(0, 80);
  return name ? `media[${index}] ("${name}")` : `media[${index}]`;
}
