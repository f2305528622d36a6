/** Every kind of notification (docs/api.md, Notifications). */
export const NOTIFICATION_TYPES = [
  'MATCHING_REQUESTED',
  'MATCHING_ACCEPTED',
  'MATCHING_REJECTED',
  'MATCHING_CANCELLED',
  'MATCHING_COMPLETED',
  'COMMENT_CREATED',
  'COMMENT_REPLIED',
  'REVIEW_CREATED',
  'GUIDE_APPROVED',
  'GUIDE_REJECTED',
  'CONTENT_HIDDEN',
  // the time-driven lifecycle (docs/api.md, Lifecycle)
  'MATCHING_EXPIRED',
  'TRIP_REMINDER',
  'REVIEW_REMINDER',
] as const;

export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
