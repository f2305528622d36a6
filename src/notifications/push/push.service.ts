import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ChatService } from '../../chat/chat.service';
import { defineJob, JobQueue } from '../../jobs/job-queue';
import { BlocksService } from '../../users/blocks.service';
import { UsersService } from '../../users/users.service';
import type { Device } from '../entities/device.entity';
import { NotificationsRepository } from '../notifications.repository';
import { DevicesService } from './devices.service';
import { FcmClient, FcmSendResult } from './fcm.client';
import { NotificationSettingsService } from './notification-settings.service';
import { CATEGORY_OF } from './push-categories';
import { cut, fcmMessage, PushContent, stringData } from './push-message';
import { inQuietHours } from './quiet-hours';

/** One push: a stored notification to its user, or a chat message to one member. */
export type PushJob = (
  | { kind: 'notification'; notificationId: number }
  | { kind: 'chat'; messageId: number; userId: number }
) & {
  /** Which try this is, from 1. */
  attempt?: number;
  /** A retry goes only to these devices: those that did not get the push yet. */
  deviceIds?: number[];
};

export const SEND_PUSH = defineJob<PushJob>('notifications.send-push', { queue: 'push' });

/** Tries per push and device (docs/api.md, Push and devices). */
export const MAX_PUSH_TRIES = 5;
/** Wait before the second try; doubled for each further one, or longer if FCM says so. */
export const PUSH_BACKOFF_MS = 1000;
/** A chat push shows this much of the message (docs/api.md, Push and devices). */
export const CHAT_PUSH_BODY_LENGTH = 100;
/** A notification push shows this much of its text (the app shows all of it). */
const NOTIFICATION_PUSH_BODY_LENGTH = 200;

const describeJob = (job: PushJob) =>
  job.kind === 'notification'
    ? `notification ${job.notificationId}`
    : `chat message ${job.messageId} to user ${job.userId}`;

/**
 * Push delivery through FCM (docs/api.md, Push and devices): one job per stored notification and per chat message
 * and offline member, run by the job seam, never inside the request. Enqueueing does not wait
 * for anything remote: in-process it is a queue insert, on BullMQ a Redis add that never
 * fails its caller, and callers do not await even that.
 *
 * A run reads what to say from the rows (the notification, the message), the user's settings
 * (category off → nothing; quiet hours → data only) and devices, and sends to each device.
 * Per device: sent; dead token (404 UNREGISTERED, 400 INVALID_ARGUMENT) → the device is
 * deleted; 429/5xx/timeouts → the devices still waiting get a new run later (exponential
 * backoff from 1 s, or FCM's Retry-After when longer), at most 5 tries, so a retry never
 * sends again to a device that got the push. A worker killed in the middle of a run is the
 * exception: BullMQ runs the stalled job again and devices reached before the kill get it
 * twice (delivery is at least once there). Tokens never reach the logs: devices are named by id.
 */
@Injectable()
export class PushService implements OnModuleInit {
  private readonly logger = new Logger(PushService.name);

  constructor(
    private readonly jobs: JobQueue,
    private readonly fcm: FcmClient,
    private readonly devices: DevicesService,
    private readonly settings: NotificationSettingsService,
    private readonly notifications: NotificationsRepository,
    private readonly chat: ChatService,
    private readonly users: UsersService,
    private readonly blocks: BlocksService,
  ) {}

  onModuleInit(): void {
    // registered even when off, so runs left in a shared queue find a handler (and end)
    this.jobs.register(SEND_PUSH, (job) => this.deliver(job), { attempts: 1 });
    if (!this.fcm.enabled) {
      // at debug: the start-up line says "push off"
      this.logger.debug('Push notifications are off: FCM_SERVICE_ACCOUNT is not set');
    }
  }

  get enabled(): boolean {
    return this.fcm.enabled;
  }

  /** Queues the push of a stored notification; returns at once. */
  pushNotification(notificationId: number): void {
    this.enqueue({ kind: 'notification', notificationId }, `n${notificationId}`);
  }

  /** Queues the push of a chat message to one member; returns at once. */
  pushChatMessage(messageId: number, userId: number): void {
    this.enqueue({ kind: 'chat', messageId, userId }, `m${messageId}u${userId}`);
  }

  private enqueue(job: PushJob, key: string, delayMs = 0): void {
    if (!this.fcm.enabled) return;
    this.jobs.enqueue(SEND_PUSH, job, { key, delayMs }).catch((error: Error) => {
      this.logger.warn(`Push of ${describeJob(job)} not queued: ${error.message}`);
    });
  }

  /** One run of a push job. Throws nothing: what failed is retried by a new run. */
  private async deliver(job: PushJob): Promise<void> {
    if (!this.fcm.enabled) return;
    let prepared: { content: PushContent; devices: Device[]; quiet: boolean } | null;
    try {
      prepared = await this.prepare(job);
    } catch (error) {
      this.retryLater(job, job.deviceIds, null, (error as Error).message);
      return;
    }
    if (!prepared || prepared.devices.length === 0) return;
    const { content, devices, quiet } = prepared;
    const results = await Promise.all(
      devices.map(async (device) => ({
        device,
        result: await this.fcm.send(fcmMessage(device.token, content, quiet)),
      })),
    );
    const again: { device: Device; result: Extract<FcmSendResult, { kind: 'retry' }> }[] = [];
    for (const { device, result } of results) {
      if (result.kind === 'dead-token') {
        this.logger.log(`Device ${device.id} removed: ${result.reason}`);
        await this.devices.removeDead(device.id).catch((error: Error) => {
          this.logger.warn(`Device ${device.id} not removed: ${error.message}`);
        });
      } else if (result.kind === 'rejected') {
        this.logger.warn(`Push of ${describeJob(job)} to device ${device.id}: ${result.reason}`);
      } else if (result.kind === 'retry') {
        again.push({ device, result });
      }
    }
    if (again.length > 0) {
      const retryAfter = Math.max(0, ...again.map((a) => a.result.retryAfterMs ?? 0));
      this.retryLater(
        job,
        again.map((a) => a.device.id),
        retryAfter > 0 ? retryAfter : null,
        again[0].result.reason,
      );
    }
  }

  /** What to send to which devices, or null when nothing is to be sent. */
  private async prepare(
    job: PushJob,
  ): Promise<{ content: PushContent; devices: Device[]; quiet: boolean } | null> {
    const found =
      job.kind === 'notification'
        ? await this.notificationContent(job.notificationId)
        : await this.chatContent(job.messageId, job.userId);
    if (!found) return null;
    const settings = await this.settings.of(found.userId);
    if (!settings.push[found.content.category]) return null;
    const wanted = job.deviceIds ? new Set(job.deviceIds) : null;
    const devices = (await this.devices.ofUser(found.userId)).filter(
      (d) => wanted === null || wanted.has(d.id),
    );
    return {
      content: found.content,
      devices,
      quiet: inQuietHours(settings.quietHours, new Date()),
    };
  }

  private async notificationContent(
    notificationId: number,
  ): Promise<{ userId: number; content: PushContent } | null> {
    // gone: the user withdrew (their notifications and devices went with them)
    const n = await this.notifications.findById(notificationId);
    if (!n) return null;
    return {
      userId: n.userId,
      content: {
        category: CATEGORY_OF[n.type],
        title: n.title,
        body: cut(n.body, NOTIFICATION_PUSH_BODY_LENGTH),
        data: { ...stringData(n.data), type: n.type, notificationId: String(n.id) },
        collapseKey: null,
      },
    };
  }

  private async chatContent(
    messageId: number,
    userId: number,
  ): Promise<{ userId: number; content: PushContent } | null> {
    const message = await this.chat.findMessage(messageId);
    if (!message || message.senderId === null) return null;
    // a block between the two: no push of the other's message (docs/api.md, Blocking and account rights)
    if (await this.blocks.existsBetween(userId, message.senderId)) return null;
    const sender = await this.users
      .getPublic(message.senderId)
      .then((u) => u.nickname)
      .catch(() => '새 메시지');
    return {
      userId,
      content: {
        category: 'chat',
        title: sender,
        body: cut(message.content, CHAT_PUSH_BODY_LENGTH),
        data: {
          type: 'CHAT_MESSAGE',
          roomId: String(message.roomId),
          messageId: String(message.id),
          senderId: String(message.senderId),
        },
        collapseKey: String(message.roomId),
      },
    };
  }

  /** A new run for the devices still waiting, or the end when the tries are used up. */
  private retryLater(
    job: PushJob,
    deviceIds: number[] | undefined,
    retryAfterMs: number | null,
    reason: string,
  ): void {
    const attempt = job.attempt ?? 1;
    const waiting = deviceIds ? `${deviceIds.length} device(s)` : 'its devices';
    if (attempt >= MAX_PUSH_TRIES) {
      this.logger.warn(
        `Push of ${describeJob(job)} given up for ${waiting} after ${attempt} tries: ${reason}`,
      );
      return;
    }
    const delayMs = Math.max(PUSH_BACKOFF_MS * 2 ** (attempt - 1), retryAfterMs ?? 0);
    this.logger.warn(
      `Push of ${describeJob(job)} try ${attempt} failed for ${waiting} (${reason}); ` +
        `again in ${delayMs} ms`,
    );
    const next: PushJob = { ...job, attempt: attempt + 1, ...(deviceIds ? { deviceIds } : {}) };
    const base =
      job.kind === 'notification' ? `n${job.notificationId}` : `m${job.messageId}u${job.userId}`;
    this.enqueue(next, `${base}t${attempt + 1}`, delayMs);
  }
}
