import {
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
  _Object as S3Object,
} from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** s3rver's own account: it refuses access key ids it does not know. */
const ACCESS_KEY = 'S3RVER';
const SECRET_KEY = 'S3RVER';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

// s3rver ships no type declarations
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

/**
 * An S3-protocol server for the tests: the npm package `s3rver` on a random loopback port,
 * its objects in a temp dir, one bucket made at start. Apps reach it with {@link env}, or
 * through a proxy with {@link envVia}; the suite reads the bucket with {@link keys} and
 * {@link get}. `stop()` in afterAll.
 */
export class S3TestServer {
  readonly bucket = 'storybook-media';
  port = 0;
  private server: S3rverInstance | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'storybook-s3-'));
  private sdk: S3Client | null = null;

  async start(): Promise<this> {
    this.server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: this.dir,
      configureBuckets: [{ name: this.bucket }],
    });
    ({ port: this.port } = await this.server.run());
    return this;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The app's variables for this server. */
  env(endpoint = this.endpoint): Record<string, string> {
    return {
      STORAGE_DRIVER: 's3',
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_BUCKET: this.bucket,
      S3_ACCESS_KEY_ID: ACCESS_KEY,
      S3_SECRET_ACCESS_KEY: SECRET_KEY,
      S3_FORCE_PATH_STYLE: 'true',
    };
  }

  /** The same, reaching the server through a proxy (fault tests). */
  envVia(proxy: { host: string; port: number }): Record<string, string> {
    return this.env(`http://${proxy.host}:${proxy.port}`);
  }

  /** A client of the suite's own, with the app's checksum setting. */
  client(): S3Client {
    this.sdk ??= new S3Client({
      region: 'us-east-1',
      endpoint: this.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return this.sdk;
  }

  /** Every object in the bucket. */
  async objects(): Promise<S3Object[]> {
    const found: S3Object[] = [];
    let token: string | undefined;
    do {
      const page = await this.client().send(
        new ListObjectsV2Command({ Bucket: this.bucket, ContinuationToken: token }),
      );
      found.push(...(page.Contents ?? []));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  async keys(): Promise<string[]> {
    return (await this.objects()).map((o) => o.Key as string).sort();
  }

  async get(key: string): Promise<{ body: Buffer; contentType?: string; cacheControl?: string }> {
    const object = await this.client().send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key }),
    );
    return {
      body: Buffer.from(
        await (
          object.Body as { transformToByteArray(): Promise<Uint8Array> }
        ).transformToByteArray(),
      ),
      contentType: object.ContentType,
      cacheControl: object.CacheControl,
    };
  }

  async stop(): Promise<void> {
    this.sdk?.destroy();
    await this.server?.close().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
