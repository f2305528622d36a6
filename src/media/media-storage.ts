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

/**
 * Where media files are kept. Also the injection token: bind another implementation (object
 * storage) in MediaModule and nothing outside the media module changes.
 */
export abstract class MediaStorage {
  /** Moves a finished local file into storage under `key`; the local file is gone afterwards. */
  abstract put(localFile: string, key: string): Promise<void>;
  /** Deletes stored files; keys that do not exist are ignored. */
  abstract delete(keys: readonly string[]): Promise<void>;
  /** An absolute local path to read the stored file from. */
  abstract localPath(key: string): string;
  /** The URL clients fetch the file from. */
  abstract publicUrl(key: string): string;
}

/** Files under `config.uploadDir`, served by the static `/uploads` handler (app.setup.ts). */
@Injectable()
export class LocalDiskStorage extends MediaStorage {
  private readonly root: string;
  private readonly baseUrl: string;

  constructor(@InjectConfig() config: AppConfig) {
    super();
    this.root = resolve(config.uploadDir);
    this.baseUrl = `${config.publicBaseUrl ?? ''}/uploads`;
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

  localPath(key: string): string {
    // Keys come from our own rows, but a key must never point outside the storage root.
    if (!KEY.test(key)) throw new Error(`Not a media storage key: ${JSON.stringify(key)}`);
    const path = join(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error('Media key escapes the storage root');
    return path;
  }

  publicUrl(key: string): string {
    return `${this.baseUrl}/${key}`;
  }
}
