/** The states of a guide profile (validated by DTOs of several modules). */
export const GUIDE_STATUSES = ['pending', 'approved', 'rejected', 'suspended'] as const;
export type GuideStatus = (typeof GUIDE_STATUSES)[number];
