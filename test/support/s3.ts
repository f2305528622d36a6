import {
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
  _Object as S3Object,
} from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, Hash, Hmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, request as httpRequest, Server } from 'node:http';
import { AddressInfo } from 'node:net';
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

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** SHA-256 (and its HMAC) for the SDK's signer, from node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {
    // one use per instance
  }
}

function amzDate(value: string): Date {
  const [d, t] = [value.slice(0, 8), value.slice(9, 15)];
  return new Date(
    `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${t.slice(0, 2)}:${t.slice(2, 4)}:${t.slice(4, 6)}Z`,
  );
}

/**
 * Checks a request's AWS Signature V4 (Authorization header, or a presigned URL's query) as
 * S3 does, by signing the same request again with the account's secret; null when it matches.
 * (s3rver itself checks only that the access key id exists.)
 */
async function signatureProblem(req: IncomingMessage): Promise<string | null> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => (query[key] = value));
  const header =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(
      req.headers.authorization ?? '',
    );
  const presigned = query['X-Amz-Signature'] !== undefined;
  if (!header && !presigned) return 'request not signed';
  const credential = (query['X-Amz-Credential'] ?? '').split('/');
  const [accessKeyId, region] = header ? [header[1], header[2]] : [credential[0], credential[2]];
  if (accessKeyId !== ACCESS_KEY) return 'unknown access key id';
  const signedHeaders = (header ? header[3] : query['X-Amz-SignedHeaders']).split(';');
  const provided = header ? header[4] : query['X-Amz-Signature'];
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = String(req.headers[name] ?? '');
  const signer = new SignatureV4({
    service: 's3',
    region,
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
    credentials: { accessKeyId, secretAccessKey: SECRET_KEY },
  });
  const request = {
    method: req.method ?? 'GET',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: decodeURIComponent(url.pathname),
    headers,
    query,
  };
  let expected: string | undefined;
  if (header) {
    const signed = await signer.sign(request, {
      signingDate: amzDate(String(req.headers['x-amz-date'])),
      signableHeaders: new Set(signedHeaders),
    });
    expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1];
  } else {
    const { 'X-Amz-Content-Sha256': payloadHash, ...rest } = query;
    for (const name of [
      'Signature',
      'Algorithm',
      'Credential',
      'Date',
      'Expires',
      'SignedHeaders',
    ]) {
      delete rest[`X-Amz-${name}`];
    }
    const signed = await signer.presign(
      {
        ...request,
        query: rest,
        headers: { ...headers, ...(payloadHash ? { 'X-Amz-Content-Sha256': payloadHash } : {}) },
      },
      {
        signingDate: amzDate(query['X-Amz-Date']),
        expiresIn: Number(query['X-Amz-Expires']),
        unsignableHeaders: new Set(),
        signableHeaders: new Set(signedHeaders),
      },
    );
    expected = String(signed.query?.['X-Amz-Signature']);
    const expiresAt =
      amzDate(query['X-Amz-Date']).getTime() + Number(query['X-Amz-Expires']) * 1000;
    if (Date.now() > expiresAt) return 'presigned URL expired';
  }
  return expected === provided ? null : 'signature does not match';
}

/**
 * An S3-protocol server for the tests: the npm package `s3rver` on a random loopback port,
 * its objects in a temp dir, one bucket made at start, behind a front on another loopback
 * port that checks every request's Signature V4 (s3rver does not) and answers 403
 * SignatureDoesNotMatch like S3. Apps reach the front with {@link env}, or through a proxy
 * with {@link envVia}; the suite reads the bucket with {@link keys} and {@link get}.
 * `stop()` in afterAll.
 */
export class S3TestServer {
  readonly bucket = 'storybook-media';
  /** The signature-checking front, where apps connect. */
  port = 0;
  /** Requests the front refused, with why. */
  readonly refused: string[] = [];
  private server: S3rverInstance | null = null;
  private front: Server | null = null;
  private backendPort = 0;
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
    ({ port: this.backendPort } = await this.server.run());
    this.front = createServer((req, res) => {
      signatureProblem(req).then(
        (problem) => {
          if (problem) {
            this.refused.push(`${req.method} ${req.url}: ${problem}`);
            req.resume();
            res.writeHead(403, { 'content-type': 'application/xml' });
            res.end(
              `<Error><Code>SignatureDoesNotMatch</Code><Message>${problem}</Message></Error>`,
            );
            return;
          }
          const upstream = httpRequest(
            {
              host: '127.0.0.1',
              port: this.backendPort,
              method: req.method,
              path: req.url,
              headers: req.headers,
            },
            (answer) => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          upstream.on('error', () => res.destroy());
          req.pipe(upstream);
        },
        () => res.destroy(),
      );
    });
    this.front.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.front?.listen(0, '127.0.0.1', resolve));
    this.port = (this.front.address() as AddressInfo).port;
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
    this.front?.closeAllConnections();
    await new Promise((resolve) => this.front?.close(resolve) ?? resolve(undefined));
    await this.server?.close().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
