import type { NotificationType } from '../notification-types';

/** The groups of pushes a user can switch off one by one (docs/api.md, Push and devices). */
export const PUSH_CATEGORIES = ['matching', 'chat', 'comments', 'reviews', 'system'] as const;
export type PushCategory = (typeof PUSH_CATEGORIES)[number];

/** The category of each kind of stored notification; chat messages are `chat`. */
export const CATEGORY_OF: Record<NotificationType, PushCategory> = {
  MATCHING_REQUESTED: 'matching',
  MATCHING_ACCEPTED: 'matching',
  MATCHING_REJECTED: 'matching',
  MATCHING_CANCELLED: 'matching',
  MATCHING_COMPLETED: 'matching',
  MATCHING_EXPIRED: 'matching',
  TRIP_REMINDER: 'matching',
  COMMENT_CREATED: 'comments',
  COMMENT_REPLIED: 'comments',
  REVIEW_CREATED: 'reviews',
  REVIEW_REMINDER: 'reviews',
  GUIDE_APPROVED: 'system',
  GUIDE_REJECTED: 'system',
  CONTENT_HIDDEN: 'system',
};
