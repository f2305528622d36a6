import { dateIn, endOfDate, instantOf, nextDay } from './zoned';

describe('zoned dates', () => {
  it('reads the date of an instant in a zone', () => {
    // 2026-03-01 15:30 UTC is already 3 March 00:30 in Seoul (UTC+9)
    expect(dateIn(new Date('2026-03-02T15:30:00Z'), 'Asia/Seoul')).toBe('2026-03-03');
    expect(dateIn(new Date('2026-03-02T14:30:00Z'), 'Asia/Seoul')).toBe('2026-03-02');
    expect(dateIn(new Date('2026-03-02T14:30:00Z'), 'UTC')).toBe('2026-03-02');
  });

  it('turns a date and wall-clock time of a zone into the instant', () => {
    expect(instantOf('2026-12-24', 'Asia/Seoul', '09:30').toISOString()).toBe(
      '2026-12-24T00:30:00.000Z',
    );
    expect(instantOf('2026-12-24', 'Asia/Seoul').toISOString()).toBe('2026-12-23T15:00:00.000Z');
    expect(endOfDate('2026-12-24', 'Asia/Seoul').toISOString()).toBe('2026-12-24T15:00:00.000Z');
  });

  it('follows daylight saving time (New York, March and November 2026)', () => {
    // clocks go forward on 8 March: 09:00 is UTC-4 afterwards, UTC-5 the day before
    expect(instantOf('2026-03-07', 'America/New_York', '09:00').toISOString()).toBe(
      '2026-03-07T14:00:00.000Z',
    );
    expect(instantOf('2026-03-09', 'America/New_York', '09:00').toISOString()).toBe(
      '2026-03-09T13:00:00.000Z',
    );
    // 02:30 does not exist on 8 March: the later side (03:30 EDT) is taken
    expect(instantOf('2026-03-08', 'America/New_York', '02:30').toISOString()).toBe(
      '2026-03-08T07:30:00.000Z',
    );
    expect(endOfDate('2026-11-01', 'America/New_York').toISOString()).toBe(
      '2026-11-02T05:00:00.000Z',
    );
  });

  it('counts days across months and years', () => {
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });
});
