/** The values a story's category and status take (validated by DTOs of several modules). */
export const STORY_CATEGORIES = [
  'food',
  'nature',
  'culture',
  'history',
  'activity',
  'nightlife',
  'shopping',
  'festival',
  'healing',
  'other',
] as const;
export type StoryCategory = (typeof STORY_CATEGORIES)[number];

export const STORY_STATUSES = ['published', 'hidden', 'deleted'] as const;
export type StoryStatus = (typeof STORY_STATUSES)[number];
