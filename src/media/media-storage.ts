import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { InjectConfig } from '../config/config.module';
import type { AppConfig } from '../config/app-config';

/**
 * Where a key lives: published originals under `stories/`, thumbnails under `thumbnails/`, and
 * uploads still being processed (videos whose metadata is not stripped yet) under `incoming/`,
 * which is never served.
 */
export type MediaKeyKind = 'stories' | 'thumbnails' | 'incoming';

/** The kinds the public `/uploads` route serves. */
export const PUBLIC_MEDIA_KINDS: readonly MediaKeyKind[] = ['stories', 'thumbnails'];

const KEY = /^(stories|thumbnails|incoming)\/[0-9a-f]{32}\.[a-z0-9]{2,5}$/;

/** A fresh storage key; never derived from anything the client sent. */
export function newMediaKey(kind: MediaKeyKind, ext: string): string {
  return `${kind}/${randomBytes(16).toString('hex')}.${ext}`;
}

/** Temp files (uploads in progress, thumbnails being made) live here, beside the storage. */
export function mediaTempDir(config: Pick<AppConfig, 'uploadDir'>): string {
  // A dot directory: the static /uploads handler denies dotfiles, so half-written uploads
  // are never served, and it sits on the same file system as the storage (rename, no copy).
  return resolve(config.uploadDir, '.tmp');
}

/** Throws unless `key` is one of ours: a kind, a random name, an extension. */
export function assertMediaKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`Not a media storage key: ${JSON.stringify(key)}`);
}

export function isMediaKey(key: string): boolean {
  return KEY.test(key);
}

/**
 * Where media URLs point: MEDIA_PUBLIC_BASE_URL (a CDN or public bucket) when set, else this
 * service's `/uploads` (under PUBLIC_BASE_URL when set), which serves local files or
 * redirects to the bucket.
 */
export function mediaUrlBase(
  config: Pick<AppConfig, 'mediaPublicBaseUrl' | 'publicBaseUrl'>,
): string {
  return config.mediaPublicBaseUrl ?? `${config.publicBaseUrl ?? ''}/uploads`;
}

/**
 * Where media files are kept. Also the injection token: MediaModule binds the implementation
 * STORAGE_DRIVER names (local disk or an S3 bucket), and nothing outside the media module
 * changes.
 */
export abstract class MediaStorage {
  /** Moves a finished local file into storage under `key`; the local file is gone afterwards. */
  abstract put(localFile: string, key: string): Promise<void>;
  /** Deletes stored files; keys that do not exist are ignored. */
  abstract delete(keys: readonly string[]): Promise<void>;
  /**
   * Runs `use` with a local path holding the stored file (ffmpeg needs a path). A copy fetched
   * for it into `tempDir` is removed afterwards, whatever `use` did.
   */
  abstract withLocalCopy<T>(
    key: string,
    tempDir: string,
    use: (path: string) => Promise<T>,
  ): Promise<T>;
  /** The URL clients fetch the file from. */
  abstract publicUrl(key: string): string;
  /**
   * Resolves when the storage answers within `timeoutMs`, rejects with a short reason (no
   * hosts, no keys) otherwise; null when there is nothing remote to check.
   */
  abstract check(timeoutMs: number): Promise<void> | null;
}

/** Files under `config.uploadDir`, served by the static `/uploads` handler (media-serving.ts). */
@Injectable()
export class LocalDiskStorage extends MediaStorage {
  private readonly root: string;
  private readonly baseUrl: string;

  constructor(@InjectConfig() config: AppConfig) {
    super();
    this.root = resolve(config.uploadDir);
    this.baseUrl = mediaUrlBase(config);
  }

  async put(localFile: string, key: string): Promise<void> {
    const target = this.localPath(key);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(localFile, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      // UPLOAD_DIR on another device than the temp file: copy, then drop the source.
      try {
        await copyFile(localFile, target);
      } catch (copyError) {
        await unlink(target).catch(() => undefined);
        throw copyError;
      }
      await unlink(localFile);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(
      keys.map(async (key) => {
        try {
          await unlink(this.localPath(key));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }),
    );
  }

  async withLocalCopy<T>(
    key: string,
    _tempDir: string,
    use: (path: string) => Promise<T>,
  ): Promise<T> {
    return use(this.localPath(key));
  }

  /** The absolute path of a stored file. */
  localPath(key: string): string {
    // Keys come from our own rows, but a key must never point outside the storage root.
    assertMediaKey(key);
    const path = join(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error('Media key escapes the storage root');
    return path;
  }

  publicUrl(key: string): string {
    return `${this.baseUrl}/${key}`;
  }

  check(): null {
    return null;
  }
}
