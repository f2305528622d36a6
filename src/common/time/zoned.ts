/**
 * Dates and wall-clock times of an IANA time zone, turned into instants and back, with the
 * runtime's own zone data (Intl): no hand-kept offsets, daylight saving handled.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock of `instant` in the zone, as if it were UTC (milliseconds). */
function wallClock(instant: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
}

/** `YYYY-MM-DD` of `instant` in the zone. */
export function dateIn(instant: Date, timeZone: string): string {
  return new Date(wallClock(instant, timeZone)).toISOString().slice(0, 10);
}

/** The date `days` after `date` (`YYYY-MM-DD`; negative: before). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The day after `date` (`YYYY-MM-DD`). */
export function nextDay(date: string): string {
  return addDays(date, 1);
}

/**
 * The instant at which the zone's clocks show `date` `time` (`HH:mm`, default midnight). In a
 * gap (clocks jumping forward) the later side is taken.
 */
export function instantOf(date: string, timeZone: string, time = '00:00'): Date {
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm] = time.split(':').map(Number);
  const wanted = Date.UTC(y, m - 1, d, hh, mm);
  const offsetAt = (t: number) => wallClock(new Date(t), timeZone) - t;
  // the offset at a first guess, then at the instant that gives (they differ near a change)
  const first = wanted - offsetAt(wanted);
  const second = wanted - offsetAt(first);
  for (const candidate of [second, first]) {
    if (wallClock(new Date(candidate), timeZone) === wanted) return new Date(candidate);
  }
  return new Date(Math.max(first, second)); // in a gap: after the clocks jumped
}

/** The end of `date` in the zone: the instant the next day begins. */
export function endOfDate(date: string, timeZone: string): Date {
  return instantOf(nextDay(date), timeZone);
}
