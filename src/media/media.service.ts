import { Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { fromFile } from 'file-type';
import type {} from 'multer';
import { randomBytes } from 'node:crypto';
import { mkdir, stat, unlink } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DomainException } from '../common/errors/domain.exception';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { defineJob, JobQueue } from '../jobs/job-queue';
import {
  extractVideoFrame,
  findFfmpeg,
  probeVideo,
  remuxWithoutMetadata,
  ResolvedFfmpeg,
  VideoContainer,
  VideoInfo,
} from './ffmpeg';
import { mediaTempDir, MediaStorage, newMediaKey } from './media-storage';
import type { MediaStatus, MediaType } from './media-types';
import { formatBytes } from './media-upload.interceptor';
import { MediaWorkLimiter } from './media-work-limiter';

/** A file stored by {@link MediaService.ingest}, ready to become a media row. */
export interface IngestedMedia {
  type: MediaType;
  /** `ready` for images; `processing` for videos until {@link MediaService.processVideo}. */
  status: MediaStatus;
  /** Of the stored file, detected from the content, never the client's claim. */
  mimeType: string;
  size: number;
  /** Upright dimensions (EXIF orientation / video rotation applied); null when unknown. */
  width: number | null;
  height: number | null;
  /** Videos only; null for images or when the container does not say. */
  durationSec: number | null;
  storageKey: string;
  /** Null until a video is processed, and when no frame could be read. */
  thumbnailKey: string | null;
}

/** What {@link MediaService.processVideo} made of a video waiting under `incoming/`. */
export type ProcessedVideo =
  | {
      ok: true;
      /** The copy without metadata, under `stories/`. */
      storageKey: string;
      thumbnailKey: string | null;
      size: number;
      width: number | null;
      height: number | null;
      durationSec: number | null;
    }
  | { ok: false; reason: string };

/** Deletes stored files that could not be deleted at once (the storage did not answer). */
export const DELETE_MEDIA_FILES = defineJob<{ keys: string[] }>('media.delete-files', {
  queue: 'media',
});

/** What ingest needs of an uploaded file; `Express.Multer.File` from the interceptor fits. */
export type UploadedMediaFile = Pick<Express.Multer.File, 'path' | 'originalname'>;

type ImageFormat = 'jpeg' | 'png' | 'webp';

interface Accepted {
  type: MediaType;
  /** The extension (and, for images, the format) the stored file is written in. */
  ext: string;
  /** The MIME type of the stored file, when it differs from the detected one. */
  mimeType?: string;
  imageFormat?: ImageFormat;
  container?: VideoContainer;
}

/** Accepted content types by detected MIME type (docs/api.md, Stories and media), and how each is stored. */
const ACCEPTED: Record<string, Accepted> = {
  'image/jpeg': { type: 'image', ext: 'jpg', imageFormat: 'jpeg' },
  'image/png': { type: 'image', ext: 'png', imageFormat: 'png' },
  'image/webp': { type: 'image', ext: 'webp', imageFormat: 'webp' },
  // stored as JPEG: what every client can show, and sharp cannot write HEVC-coded HEIC
  'image/heic': { type: 'image', ext: 'jpg', mimeType: 'image/jpeg', imageFormat: 'jpeg' },
  'image/heif': { type: 'image', ext: 'jpg', mimeType: 'image/jpeg', imageFormat: 'jpeg' },
  'video/mp4': { type: 'video', ext: 'mp4', container: 'mp4' },
  // Apple's M4V brand is an MP4 file.
  'video/x-m4v': { type: 'video', ext: 'mp4', mimeType: 'video/mp4', container: 'mp4' },
  'video/quicktime': { type: 'video', ext: 'mov', container: 'mov' },
  'video/webm': { type: 'video', ext: 'webm', container: 'webm' },
};

const CONTAINER_BY_EXT: Record<string, VideoContainer> = { mp4: 'mp4', mov: 'mov', webm: 'webm' };

type Sharp = (typeof import('sharp'))['default'];
let sharpModule: Promise<Sharp> | undefined;

/** sharp, with libvips, loaded on the first image rather than at start. */
function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then(({ default: sharp }) => {
    // libvips keeps recently opened input files open in its cache; uploads are read once and
    // then moved or deleted, so holding their descriptors would only keep deleted files' space
    // in use.
    sharp.cache({ files: 0 });
    return sharp;
  });
  return sharpModule;
}

/** Thumbnails fit inside this square (pixels). */
export const THUMBNAIL_BOX = 480;
/** Videos wider or taller than this, or faster, are refused from their header (docs/api.md, Stories and media). */
export const MAX_VIDEO_SIDE = 4096;
export const MAX_VIDEO_FPS = 120;

interface Prepared {
  file: UploadedMediaFile;
  accepted: Accepted;
  mimeType: string;
  /** The file to store: the stripped copy of an image, the upload itself for a video. */
  storedPath: string;
  size: number;
  width: number | null;
  height: number | null;
  durationSec: number | null;
  thumbnailPath: string | null;
}

/**
 * Validates uploaded files by their content, strips what the uploader did not mean to
 * publish, makes thumbnails and keeps the files in {@link MediaStorage}. Knows nothing about
 * stories: callers keep the returned keys in their rows and hand them back to {@link remove}.
 *
 * Every decode of untrusted media runs through {@link MediaWorkLimiter} and ffmpeg runs are
 * killed after MEDIA_FFMPEG_TIMEOUT_MS.
 */
@Injectable()
export class MediaService implements OnModuleInit {
  private readonly logger = new Logger(MediaService.name);
  /** The ffmpeg in use, once found; asked at start without holding the start up. */
  private ffmpeg: Promise<ResolvedFfmpeg | null> = Promise.resolve(null);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly storage: MediaStorage,
    private readonly limiter: MediaWorkLimiter,
    @Optional() private readonly jobs?: JobQueue,
  ) {}

  /**
   * Finds ffmpeg (docs/api.md, Stories and media: order, 5.0 or newer) and says at start which
   * one is used. The search runs `ffmpeg -version` for each candidate, so the start does not
   * wait for it: video work awaits its outcome.
   */
  onModuleInit(): void {
    // deleting twice is harmless, so the job simply tries again, for about two hours
    this.jobs?.register(DELETE_MEDIA_FILES, ({ keys }) => this.storage.delete(keys), {
      attempts: 8,
      backoffMs: 30_000,
    });
    this.ffmpeg = this.findFfmpeg();
  }

  private async findFfmpeg(): Promise<ResolvedFfmpeg | null> {
    const { found, skipped } = await findFfmpeg({ configured: this.config.media.ffmpegPath });
    for (const { candidate, reason } of skipped) {
      if (candidate.source === 'PATH' && found === null && reason.startsWith('cannot run')) {
        continue; // said below
      }
      this.logger.warn(`Not using ffmpeg from ${candidate.source} (${candidate.path}): ${reason}`);
    }
    if (found) {
      // at debug: the start-up line names the ffmpeg in use
      this.logger.debug(`Using ffmpeg ${found.version} from ${found.source}: ${found.path}`);
    } else {
      this.logger.warn(
        'No ffmpeg 5.0 or newer found (FFMPEG_PATH, ffmpeg-static, PATH): videos are refused',
      );
    }
    return found;
  }

  /** The ffmpeg in use, or null when there is none (once the search at start is done). */
  ffmpegInUse(): Promise<ResolvedFfmpeg | null> {
    return this.ffmpeg;
  }

  /**
   * Checks every file, then stores them all, in input order. All or nothing: when any file is
   * refused (415 UNSUPPORTED_MEDIA_TYPE, 413 PAYLOAD_TOO_LARGE) or anything fails, nothing
   * stays stored and the temp files are removed. On success the temp files have been moved.
   *
   * Images are stripped of metadata and get their thumbnail here (`ready`). Videos are only
   * probed (their header decides whether they are accepted) and stored under `incoming/`, as
   * `processing`: {@link processVideo} does the rest, as a job.
   */
  async ingest(files: readonly UploadedMediaFile[]): Promise<IngestedMedia[]> {
    const tempDir = mediaTempDir(this.config);
    const temps: string[] = [];
    const stored: string[] = [];
    try {
      await mkdir(tempDir, { recursive: true });
      // Everything is checked (and images processed) before the first file is stored.
      const prepared: Prepared[] = [];
      for (const [index, file] of files.entries()) {
        prepared.push(await this.prepare(file, index, tempDir, temps));
      }
      const result: IngestedMedia[] = [];
      for (const item of prepared) {
        const kind = item.accepted.type === 'image' ? 'stories' : 'incoming';
        const storageKey = newMediaKey(kind, item.accepted.ext);
        stored.push(storageKey);
        await this.storage.put(item.storedPath, storageKey);
        let thumbnailKey: string | null = null;
        if (item.thumbnailPath) {
          thumbnailKey = newMediaKey('thumbnails', 'jpg');
          stored.push(thumbnailKey);
          await this.storage.put(item.thumbnailPath, thumbnailKey);
        }
        result.push({
          type: item.accepted.type,
          status: item.accepted.type === 'image' ? 'ready' : 'processing',
          mimeType: item.mimeType,
          size: item.size,
          width: item.width,
          height: item.height,
          durationSec: item.durationSec,
          storageKey,
          thumbnailKey,
        });
      }
      await removeQuietly(files.map((file) => file.path)); // images: the unstripped upload
      return result;
    } catch (error) {
      await removeQuietly([...files.map((file) => file.path), ...temps]);
      await this.remove(stored);
      throw error;
    }
  }

  /**
   * The job's half of a video upload: copies the stored upload without its metadata into
   * `stories/`, reads its upright size and duration, and makes its thumbnail. The upload under
   * `incoming/` is left for the caller to delete once its row points at the new key. Never
   * throws for a bad file (`ok: false`); throws when storage itself fails, so the job retries.
   * With object storage the upload is fetched to a temp file for ffmpeg, and removed after.
   */
  async processVideo(incomingKey: string): Promise<ProcessedVideo> {
    const container = CONTAINER_BY_EXT[extname(incomingKey).slice(1)];
    const ffmpeg = (await this.ffmpeg)?.path;
    if (!container) return { ok: false, reason: `not a video key: ${incomingKey}` };
    if (!ffmpeg) return { ok: false, reason: 'no usable ffmpeg' };
    const timeout = this.config.media.ffmpegTimeoutMs;
    const tempDir = mediaTempDir(this.config);
    await mkdir(tempDir, { recursive: true });
    const name = randomBytes(16).toString('hex');
    const stripped = join(tempDir, `${name}.${container}`);
    const thumbnail = join(tempDir, `${name}.jpg`);
    const stored: string[] = [];
    try {
      // in a bucket, the upload is fetched to a temp file first (removed right after the remux)
      const remux = await this.storage.withLocalCopy(incomingKey, tempDir, (input) =>
        this.limiter.run(() => remuxWithoutMetadata(ffmpeg, input, stripped, container, timeout)),
      );
      if (!remux.ok) return { ok: false, reason: `metadata could not be removed: ${remux.detail}` };
      const probe = await this.limiter.run(() => probeVideo(ffmpeg, stripped, timeout));
      const info: VideoInfo | null = probe.ok ? probe.info : null;
      const at = info?.durationSec != null && info.durationSec > 1 ? 1 : 0;
      const frame = await this.limiter.run(() =>
        extractVideoFrame(ffmpeg, stripped, thumbnail, at, THUMBNAIL_BOX, timeout),
      );
      if (!frame.ok) this.logger.warn(`No thumbnail for ${incomingKey}: ${frame.detail}`);
      const { size } = await stat(stripped);
      const storageKey = newMediaKey('stories', container);
      stored.push(storageKey);
      await this.storage.put(stripped, storageKey);
      let thumbnailKey: string | null = null;
      if (frame.ok) {
        thumbnailKey = newMediaKey('thumbnails', 'jpg');
        stored.push(thumbnailKey);
        await this.storage.put(thumbnail, thumbnailKey);
      }
      return {
        ok: true,
        storageKey,
        thumbnailKey,
        size,
        width: info?.width ?? null,
        height: info?.height ?? null,
        durationSec: info?.durationSec ?? null,
      };
    } catch (error) {
      await this.storage.delete(stored).catch(() => undefined);
      throw error;
    } finally {
      await removeQuietly([stripped, thumbnail]);
    }
  }

  /**
   * Deletes stored files (originals and thumbnails); nulls and missing files are skipped. It
   * runs after the rows are gone, so a storage failure is not thrown (the change has been
   * committed): the deletion is queued as a job that retries until the storage answers.
   */
  async remove(keys: readonly (string | null | undefined)[]): Promise<void> {
    const present = presentKeys(keys);
    if (present.length === 0) return;
    try {
      await this.storage.delete(present);
    } catch (error) {
      this.logger.warn(`Could not delete media files now, queued: ${(error as Error).message}`);
      if (this.jobs) await this.jobs.enqueue(DELETE_MEDIA_FILES, { keys: present });
      else this.logger.error(`Media files left behind: ${present.join(', ')}`);
    }
  }

  /**
   * Deletes stored files in the background (a job that retries until the storage answers):
   * for many files at once, whose caller must not wait for the storage (a withdrawal, which
   * Kakao's unlink callback expects answered within a second).
   */
  async removeLater(keys: readonly (string | null | undefined)[]): Promise<void> {
    const present = presentKeys(keys);
    if (present.length === 0) return;
    if (this.jobs) await this.jobs.enqueue(DELETE_MEDIA_FILES, { keys: present });
    else await this.remove(present);
  }

  /** The public URL of a stored file, or null for no file. */
  url(key: string | null): string | null {
    return key ? this.storage.publicUrl(key) : null;
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
    const mimeType = accepted.mimeType ?? detected.mime;
    if (accepted.type === 'video') {
      const info = await this.probeUpload(file.path, label, index);
      return {
        file,
        accepted,
        mimeType,
        storedPath: file.path,
        size,
        ...info,
        thumbnailPath: null,
      };
    }
    const name = randomBytes(16).toString('hex');
    const storedPath = join(tempDir, `${name}.${accepted.ext}`);
    const thumbnailPath = join(tempDir, `${name}.thumb.jpg`);
    temps.push(storedPath, thumbnailPath);
    const image = await this.limiter.run(() =>
      this.prepareImage(
        file.path,
        storedPath,
        thumbnailPath,
        accepted,
        detected.mime,
        label,
        index,
      ),
    );
    return { file, accepted, mimeType, storedPath, ...image, durationSec: null, thumbnailPath };
  }

  /**
   * Writes the stored copy (orientation applied to the pixels, then every metadata block
   * dropped — EXIF with GPS and serials, XMP, IPTC, comments — keeping only the ICC colour
   * profile) and the thumbnail. Decoding both is also the check that the image is one.
   */
  private async prepareImage(
    path: string,
    storedPath: string,
    thumbnailPath: string,
    accepted: Accepted,
    detectedMime: string,
    label: string,
    index: number,
  ): Promise<{ size: number; width: number; height: number }> {
    const sharp = await loadSharp();
    // sharp's prebuilt libvips decodes HEIF only with AV1 inside; HEVC-coded HEIC (iPhone
    // photos) needs a libvips built with libde265. Say so rather than blame the file.
    const why =
      (detectedMime === 'image/heic' || detectedMime === 'image/heif') &&
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
    const upright = sharp(path, { ...options, limitInputPixels: maxPixels }).rotate();
    const original = upright.clone().keepIccProfile();
    const encoded =
      accepted.imageFormat === 'png'
        ? original.png()
        : accepted.imageFormat === 'webp'
          ? original.webp({ quality: 90 })
          : original.flatten({ background: '#ffffff' }).jpeg({ quality: 90 });
    const thumbnail = upright
      .clone()
      .resize(THUMBNAIL_BOX, THUMBNAIL_BOX, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80 });
    try {
      const [info] = await Promise.all([
        encoded.toFile(storedPath),
        thumbnail.toFile(thumbnailPath),
      ]);
      return { size: info.size, width: info.width, height: info.height };
    } catch {
      throw undecodable();
    }
  }

  /**
   * Reads a video's header and refuses, before any frame is decoded for a thumbnail, what
   * would cost too much to process: wider or taller than 4096 px, faster than 120 fps, longer
   * than MAX_VIDEO_SECONDS.
   */
  private async probeUpload(
    path: string,
    label: string,
    index: number,
  ): Promise<Pick<Prepared, 'width' | 'height' | 'durationSec'>> {
    const refuse = (why: string, error: string) =>
      new DomainException('UNSUPPORTED_MEDIA_TYPE', `${label} ${why}`, [
        { field: 'media', index, errors: [error] },
      ]);
    const ffmpeg = (await this.ffmpeg)?.path;
    if (!ffmpeg) {
      throw new DomainException(
        'SERVICE_UNAVAILABLE',
        'Videos cannot be processed by this server right now; photos still can',
      ).retryAfter(300);
    }
    const probe = await this.limiter.run(() =>
      probeVideo(ffmpeg, path, this.config.media.ffmpegTimeoutMs),
    );
    if (!probe.ok) {
      this.logger.warn(`Refused ${label}: ${probe.detail}`);
      throw refuse('does not contain a readable video stream', 'video does not decode');
    }
    const { width, height, fps, durationSec } = probe.info;
    if ((width ?? 0) > MAX_VIDEO_SIDE || (height ?? 0) > MAX_VIDEO_SIDE) {
      throw refuse(
        `is ${width}×${height}; videos may be at most ${MAX_VIDEO_SIDE} pixels wide and tall`,
        'video too large in pixels',
      );
    }
    if (fps !== null && fps > MAX_VIDEO_FPS) {
      throw refuse(
        `runs at ${fps} frames per second; at most ${MAX_VIDEO_FPS} are accepted`,
        'video frame rate too high',
      );
    }
    const maxSeconds = this.config.media.maxVideoSeconds;
    if (durationSec !== null && durationSec > maxSeconds) {
      throw refuse(
        `is ${Math.round(durationSec)} s long; videos may be at most ${maxSeconds} s`,
        'video too long',
      );
    }
    return { width, height, durationSec };
  }
}

async function removeQuietly(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((path) => unlink(path).catch(() => undefined)));
}

/** "media[2] ("beach.jpg")" — the client's name is only ever echoed back, never used. */
function describe(file: UploadedMediaFile, index: number): string {
  const name = (file.originalname ?? '').replace(/["\p{Cc}]/gu, '').slice(0, 80);
  return name ? `media[${index}] ("${name}")` : `media[${index}]`;
}

/** The keys of files that exist (nulls and empty keys are no file). */
function presentKeys(keys: readonly (string | null | undefined)[]): string[] {
  return keys.filter((key): key is string => typeof key === 'string' && key !== '');
}
