import type { NotificationDto } from './dto/notification.dto';

/** Delivers a stored notification to the user's open sockets (`notification:new`). */
export interface NotificationPush {
  toUser(userId: number, notification: NotificationDto): void;
}

export const NOTIFICATION_PUSH = Symbol('NOTIFICATION_PUSH');

/** The socket event a client receives, with the notification as stored (SPEC §7, §8). */
export const NOTIFICATION_NEW_EVENT = 'notification:new';
