import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { defineJob, JobQueue } from '../jobs/job-queue';
import { MediaService } from '../media/media.service';
import type { MediaStatus } from '../media/media-types';
import { RealtimeService } from '../realtime/realtime.service';
import type { StoryMedia } from './entities/story-media.entity';
import { StoriesRepository } from './stories.repository';

/** Strips a video's metadata and makes its thumbnail (docs/api.md, Stories and media "Video processing is a job"). */
export const PROCESS_STORY_VIDEO = defineJob<{ mediaId: number }>('stories.process-video', {
  queue: 'media',
});

/** What the owner's sockets get when a video has been processed. */
export interface MediaReadyPayload {
  storyId: number;
  mediaId: number;
  status: MediaStatus;
  thumbnailUrl: string | null;
}

/**
 * The video job of story media. An upload answers with the video `processing`; this job
 * turns it `ready` (metadata stripped, thumbnail made) or `failed`, and tells the owner's
 * sockets (`media:ready`). Work is found from the rows: at start every video still
 * `processing` is queued again, so a job cut by a crash runs after the next start.
 */
@Injectable()
export class StoryVideoJobs implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(StoryVideoJobs.name);

  constructor(
    private readonly stories: StoriesRepository,
    private readonly files: MediaService,
    private readonly jobs: JobQueue,
    private readonly realtime: RealtimeService,
  ) {}

  onModuleInit(): void {
    this.jobs.register(PROCESS_STORY_VIDEO, (payload) => this.process(payload.mediaId), {
      attempts: 3,
      backoffMs: 2000,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const waiting = await this.stories.processingMediaIds();
    if (waiting.length > 0) this.logger.log(`Resuming ${waiting.length} video(s) still processing`);
    await this.enqueue(waiting);
  }

  /** Queues the processing of a story's videos that wait for it (after an upload commits). */
  async enqueueProcessing(storyId: number): Promise<void> {
    await this.enqueue(await this.stories.processingMediaIds(storyId));
  }

  private async enqueue(mediaIds: number[]): Promise<void> {
    for (const mediaId of mediaIds) {
      await this.jobs.enqueue(PROCESS_STORY_VIDEO, { mediaId }, { key: String(mediaId) });
    }
  }

  /**
   * Idempotent: only a row still `processing` with the same upload key is changed (a
   * conditional update), so a second run, or a story deleted meanwhile, leaves nothing behind
   * but the files it made, which it removes.
   */
  private async process(mediaId: number): Promise<void> {
    const row = await this.stories.findProcessingMedia(mediaId);
    if (!row) return;
    const incomingKey = row.storageKey;
    const result = await this.files.processVideo(incomingKey);
    if (!result.ok) {
      this.logger.warn(`Video ${mediaId} could not be processed: ${result.reason}`);
      const failed = await this.stories.finishProcessing(mediaId, incomingKey, {
        status: 'failed',
      });
      if (failed) await this.announce(row, 'failed', null);
      return;
    }
    const done = await this.stories.finishProcessing(mediaId, incomingKey, {
      status: 'ready',
      storageKey: result.storageKey,
      thumbnailKey: result.thumbnailKey,
      size: result.size,
      width: result.width ?? row.width,
      height: result.height ?? row.height,
      durationSec: result.durationSec ?? row.durationSec,
    });
    if (!done) {
      await this.files.remove([result.storageKey, result.thumbnailKey]);
      return;
    }
    await this.files.remove([incomingKey]);
    await this.announce(row, 'ready', result.thumbnailKey);
  }

  private async announce(
    row: StoryMedia,
    status: MediaStatus,
    thumbnailKey: string | null,
  ): Promise<void> {
    const story = await this.stories.findById(row.storyId);
    if (!story) return;
    const payload: MediaReadyPayload = {
      storyId: row.storyId,
      mediaId: row.id,
      status,
      thumbnailUrl: this.files.url(thumbnailKey),
    };
    this.realtime.emitToUser(story.userId, 'media:ready', payload);
  }
}
