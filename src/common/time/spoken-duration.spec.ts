import { spokenDuration } from './spoken-duration';

describe('spokenDuration', () => {
  it('uses the largest unit the duration is a whole number of', () => {
    expect(spokenDuration(14 * 86_400)).toBe('14 days');
    expect(spokenDuration(72 * 3_600)).toBe('3 days');
    expect(spokenDuration(36 * 3_600)).toBe('36 hours');
    expect(spokenDuration(90)).toBe('90 seconds');
    expect(spokenDuration(120)).toBe('2 minutes');
    expect(spokenDuration(1)).toBe('1 second');
    expect(spokenDuration(86_400)).toBe('1 day');
  });
});
