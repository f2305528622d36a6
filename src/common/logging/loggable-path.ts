/** Paths whose last segment is a secret (a device's push token): logged as a placeholder. */
const SECRET_SEGMENT = /^(\/api\/v1\/users\/me\/devices\/)[^/]+/;

/** The path of a request as logs may show it: no query string, no secret segment. */
export function loggablePath(url: string): string {
  return url.split('?')[0].replace(SECRET_SEGMENT, '$1:token');
}
