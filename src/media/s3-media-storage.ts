import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainException } from '../common/errors/domain.exception';
import type { AppConfig, StorageConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { assertMediaKey, MediaStorage, mediaUrlBase } from './media-storage';

type S3Config = Extract<StorageConfig, { driver: 's3' }>;

/**
 * Parts of a multipart upload. lib-storage holds at most `QUEUE_SIZE` parts in memory per
 * upload (docs/api.md, Operations: never a whole file in memory); 5 MB is S3's smallest part.
 */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;
/** Seconds a client should wait before retrying an upload the bucket did not take. */
const RETRY_AFTER_SECONDS = 30;

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
};

/** The SDK client for one S3 configuration; `endpoint` overrides the configured one. */
export function createS3Client(s3: S3Config, endpoint = s3.endpoint): S3Client {
  return new S3Client({
    region: s3.region,
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: s3.forcePathStyle,
    ...(s3.credentials ? { credentials: s3.credentials } : {}),
    // Streamed bodies sent `aws-chunked` with trailing checksums are stored verbatim by some
    // S3-compatible stores; WHEN_REQUIRED sends plain bodies (see the S3_CHECKSUMS variable).
    requestChecksumCalculation: s3.checksums,
    responseChecksumValidation: s3.checksums,
    // one retry: a stalled bucket must turn into a 503 within about two timeouts
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: s3.timeoutMs,
      // the socket's idle time: a request (or an upload part) that stalls fails after it
      requestTimeout: s3.timeoutMs,
      // (the SDK only warns about it otherwise, and the request waits on)
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
    },
  });
}

/** A short, secret-free description of an SDK failure for logs and health reports. */
export function describeS3Error(error: unknown): string {
  if (error instanceof S3ServiceException) {
    return `${error.name} (HTTP ${error.$metadata.httpStatusCode ?? '?'})`;
  }
  const e = error as { name?: string; code?: string };
  return e.code ?? e.name ?? 'unavailable';
}

/**
 * Media in an S3 bucket (AWS S3, MinIO, Cloudflare R2, NCP Object Storage): files are
 * streamed in with multipart uploads, fetched to a temp file only where ffmpeg needs a
 * path, and served by presigned URLs (`/uploads/<key>` answers 302, media-serving.ts) or
 * from MEDIA_PUBLIC_BASE_URL. Credentials are never logged.
 */
@Injectable()
export class S3MediaStorage extends MediaStorage implements OnApplicationShutdown {
  private readonly logger = new Logger(S3MediaStorage.name);
  private readonly s3: S3Config;
  private readonly client: S3Client;
  /** Signs URLs for clients; another client only when they reach the bucket elsewhere. */
  private readonly presigner: S3Client;
  private readonly baseUrl: string;

  constructor(@InjectConfig() config: AppConfig) {
    super();
    if (config.storage.driver !== 's3') throw new Error('S3MediaStorage needs STORAGE_DRIVER=s3');
    this.s3 = config.storage;
    this.client = createS3Client(this.s3);
    this.presigner = this.s3.publicEndpoint
      ? createS3Client(this.s3, this.s3.publicEndpoint)
      : this.client;
    this.baseUrl = mediaUrlBase(config);
  }

  get bucket(): string {
    return this.s3.bucket;
  }

  get presignTtlSeconds(): number {
    return this.s3.presignTtlSeconds;
  }

  /**
   * Streams the file to the bucket (one PUT when small, a multipart upload otherwise; a failed
   * multipart upload is aborted, so no part stays behind), then removes the local file. A
   * bucket that fails or does not answer is 503 SERVICE_UNAVAILABLE with Retry-After.
   */
  async put(localFile: string, key: string): Promise<void> {
    assertMediaKey(key);
    const ext = extname(key).slice(1);
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.s3.bucket,
        Key: key,
        Body: createReadStream(localFile),
        ContentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
        // keys are never reused (random names), so what is served may be cached for good;
        // uploads still being processed are never served
        CacheControl: key.startsWith('incoming/')
          ? 'private, no-store'
          : 'public, max-age=31536000, immutable',
      },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      this.logger.error(`Could not store ${key} in the bucket: ${describeS3Error(error)}`);
      throw new DomainException(
        'SERVICE_UNAVAILABLE',
        'Media storage is not answering; nothing was stored, try again later',
      ).retryAfter(RETRY_AFTER_SECONDS);
    }
    await unlink(localFile).catch(() => undefined);
  }

  async delete(keys: readonly string[]): Promise<void> {
    const results = await Promise.allSettled(
      keys.map(async (key) => {
        assertMediaKey(key);
        // S3 answers 204 for a key that does not exist: deleting twice is fine
        await this.client.send(new DeleteObjectCommand({ Bucket: this.s3.bucket, Key: key }));
      }),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      throw new Error(
        `${failed.length} of ${keys.length} object(s) not deleted: ${describeS3Error(failed[0].reason)}`,
      );
    }
  }

  async withLocalCopy<T>(
    key: string,
    tempDir: string,
    use: (path: string) => Promise<T>,
  ): Promise<T> {
    assertMediaKey(key);
    await mkdir(tempDir, { recursive: true });
    const path = join(tempDir, `${randomBytes(16).toString('hex')}${extname(key)}`);
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.s3.bucket, Key: key }),
      );
      if (!(object.Body instanceof Readable)) throw new Error(`No body for ${key}`);
      await pipeline(object.Body, createWriteStream(path, { flags: 'wx' }));
      return await use(path);
    } finally {
      await unlink(path).catch(() => undefined);
    }
  }

  publicUrl(key: string): string {
    return `${this.baseUrl}/${key}`;
  }

  /** A short-lived GET URL of an object, for `/uploads/<key>` to redirect to. */
  presignedGetUrl(key: string): Promise<string> {
    assertMediaKey(key);
    return getSignedUrl(
      this.presigner,
      new GetObjectCommand({ Bucket: this.s3.bucket, Key: key }),
      { expiresIn: this.s3.presignTtlSeconds },
    );
  }

  /** A HEAD on the bucket within `timeoutMs`. */
  async check(timeoutMs: number): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.s3.bucket }), {
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      throw new Error(
        name === 'AbortError' || name === 'TimeoutError' ? 'timeout' : describeS3Error(error),
      );
    }
  }

  /** After the jobs have finished (they run until beforeApplicationShutdown ends). */
  onApplicationShutdown(): void {
    this.client.destroy();
    if (this.presigner !== this.client) this.presigner.destroy();
  }
}
