/** What a stored file is, decided from its content. */
export const MEDIA_TYPES = ['image', 'video'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/**
 * Where a file is in its processing (docs/api.md, Stories and media): images are `ready` when the upload answers;
 * a video is `processing` until a job has stripped its metadata and made its thumbnail, then
 * `ready`, or `failed` when that could not be done (the file is kept, nothing is served).
 */
export const MEDIA_STATUSES = ['processing', 'ready', 'failed'] as const;
export type MediaStatus = (typeof MEDIA_STATUSES)[number];
