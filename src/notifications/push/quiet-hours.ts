/** Quiet hours of a user (docs/api.md, Push and devices): local `HH:mm` times in an IANA time zone. */
export interface QuietHours {
  start: string;
  end: string;
  timeZone: string;
}

/** `HH:mm`, 00:00 to 23:59. */
export const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** The wall-clock minute of the day at `at` in `timeZone`. */
export function localMinuteOfDay(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: 'hour' | 'minute') => Number(parts.find((p) => p.type === type)?.value);
  return part('hour') * 60 + part('minute');
}

/**
 * Whether `at` falls in the quiet hours: from `start` (included) to `end` (excluded), local
 * time in their zone, wrapping midnight when `end` is earlier than `start` (22:00–07:00).
 */
export function inQuietHours(quiet: QuietHours | null, at: Date): boolean {
  if (!quiet) return false;
  const now = localMinuteOfDay(at, quiet.timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start <= end ? now >= start && now < end : now >= start || now < end;
}
