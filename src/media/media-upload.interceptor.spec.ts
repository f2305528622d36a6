import {
  Body,
  Controller,
  HttpCode,
  INestApplication,
  Post,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { AllExceptionsFilter } from '../common/errors/all-exceptions.filter';
import { createValidationPipe } from '../common/validation/validation';
import { AppConfig, loadConfig } from '../config/app-config';
import { AppConfigModule } from '../config/config.module';
import { LocalDiskStorage, mediaTempDir, MediaStorage } from './media-storage';
import { mediaUploadInterceptor } from './media-upload.interceptor';
import { MediaWorkLimiter } from './media-work-limiter';
import { MediaService } from './media.service';
import { UploadSlots } from './upload-slots';

class NoteDto {
  @IsString()
  @MaxLength(20)
  title: string;

  @IsOptional()
  @IsString()
  note?: string;
}

/** What a route like POST /stories does with the interceptor; throwaway, for this spec only. */
@Controller('probe')
class ProbeController {
  constructor(private readonly media: MediaService) {}

  @Post('echo')
  @HttpCode(200)
  @UseInterceptors(mediaUploadInterceptor())
  echo(@Body() body: NoteDto, @UploadedFiles() files: Express.Multer.File[] | undefined) {
    return {
      body: { ...body },
      files: (files ?? []).map((f) => ({ name: f.originalname, size: f.size })),
    };
  }

  @Post('ingest')
  @UseInterceptors(mediaUploadInterceptor())
  ingest(@UploadedFiles() files: Express.Multer.File[] | undefined) {
    return this.media.ingest(files ?? []);
  }

  @Post('fail')
  @UseInterceptors(mediaUploadInterceptor())
  fail(): never {
    throw new Error('handler failed after the upload');
  }
}

describe('mediaUploadInterceptor', () => {
  let root: string;
  let config: AppConfig;
  let app: INestApplication;
  let tempDir: string;
  let png: Buffer;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'media-upload-'));
    config = loadConfig({
      UPLOAD_DIR: join(root, 'uploads'),
      MAX_VIDEO_BYTES: String(64 * 1024),
      MAX_IMAGE_BYTES: String(32 * 1024),
    });
    tempDir = mediaTempDir(config);
    png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();

    const moduleRef = await Test.createTestingModule({
      imports: [AppConfigModule.forRoot(config)],
      controllers: [ProbeController],
      providers: [
        { provide: MediaStorage, useClass: LocalDiskStorage },
        MediaWorkLimiter,
        MediaService,
        UploadSlots,
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalPipes(createValidationPipe());
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** The temp dir empties once the request is over (cleanup may trail the response a bit). */
  async function expectTempDirEmpty(): Promise<void> {
    for (let i = 0; i < 50 && readdirSync(tempDir).length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(readdirSync(tempDir)).toEqual([]);
  }

  const http = () => request(app.getHttpServer());

  it('creates the temp dir inside UPLOAD_DIR at start', () => {
    expect(existsSync(tempDir)).toBe(true);
    expect(tempDir.startsWith(join(root, 'uploads'))).toBe(true);
  });

  it('hands files to @UploadedFiles() and text fields to the @Body() DTO', async () => {
    const res = await http()
      .post('/probe/echo')
      .field('title', 'Jeju trip')
      .field('note', 'sunny')
      .attach('media', png, 'a.png')
      .attach('media', Buffer.from('hello'), 'b.txt');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      body: { title: 'Jeju trip', note: 'sunny' },
      files: [
        { name: 'a.png', size: png.length },
        { name: 'b.txt', size: 5 },
      ],
    });
    // The handler did not ingest them, so nothing may stay behind.
    await expectTempDirEmpty();
  });

  it('lets the DTO refuse bad text fields, and still removes the uploaded files', async () => {
    const res = await http()
      .post('/probe/echo')
      .field('title', 'x'.repeat(21))
      .field('unknown', '1')
      .attach('media', png, 'a.png');

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    await expectTempDirEmpty();
  });

  it('leaves plain JSON requests alone', async () => {
    const res = await http().post('/probe/echo').send({ title: 'json only' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ body: { title: 'json only' }, files: [] });
  });

  it('refuses more than 10 files with 400 VALIDATION_FAILED', async () => {
    let req = http().post('/probe/echo').field('title', 'many');
    for (let i = 0; i < 11; i++) req = req.attach('media', png, `p${i}.png`);
    const res = await req;

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.message).toMatch(/at most 10 files/i);
    await expectTempDirEmpty();
  });

  it('refuses files in another field with 400 naming the right field', async () => {
    const res = await http()
      .post('/probe/echo')
      .field('title', 'wrong')
      .attach('photos', png, 'a.png');

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toContain('"media"');
    await expectTempDirEmpty();
  });

  it('stops a file over MAX_VIDEO_BYTES with 413 PAYLOAD_TOO_LARGE and removes it', async () => {
    const res = await http()
      .post('/probe/echo')
      .field('title', 'big')
      .attach('media', png, 'small.png')
      .attach('media', randomBytes(200 * 1024), 'big.mp4');

    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    await expectTempDirEmpty();
  });

  it('answers 400 for a malformed multipart body', async () => {
    const res = await http()
      .post('/probe/echo')
      .set('Content-Type', 'multipart/form-data; boundary=xyz')
      .send('--xyz\r\nContent-Disposition: form-data; name="media"; filename="a.png"\r\n\r\nabc');

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    await expectTempDirEmpty();
  });

  it('removes the temp files when the handler fails', async () => {
    const res = await http().post('/probe/fail').attach('media', png, 'a.png');

    expect(res.status).toBe(500);
    await expectTempDirEmpty();
  });

  it('moves ingested files into storage, and keeps nothing of a refused upload', async () => {
    const ok = await http().post('/probe/ingest').attach('media', png, 'a.png');
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual([
      expect.objectContaining({ type: 'image', mimeType: 'image/png', width: 64, height: 48 }),
    ]);
    expect(existsSync(join(config.uploadDir, ok.body[0].storageKey))).toBe(true);
    expect(existsSync(join(config.uploadDir, ok.body[0].thumbnailKey))).toBe(true);
    await expectTempDirEmpty();

    const bad = await http()
      .post('/probe/ingest')
      .attach('media', png, 'b.png')
      .attach('media', Buffer.from('not an image'), 'c.jpg');
    expect(bad.status).toBe(415);
    expect(bad.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    await expectTempDirEmpty();
    expect(readdirSync(join(config.uploadDir, 'stories'))).toEqual([
      ok.body[0].storageKey.split('/')[1],
    ]);

    const tooBig = await http()
      .post('/probe/ingest')
      .attach(
        'media',
        await sharp(randomBytes(120 * 120 * 3), { raw: { width: 120, height: 120, channels: 3 } })
          .png()
          .toBuffer(),
        'big.png',
      );
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.code).toBe('PAYLOAD_TOO_LARGE');
    await expectTempDirEmpty();
  });
});
