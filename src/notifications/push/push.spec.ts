import { classifyFcmError, retryAfterMs } from './fcm.client';
import { cut, fcmMessage, stringData } from './push-message';
import { inQuietHours, localMinuteOfDay } from './quiet-hours';

const fcmError = (errorCode: string) => ({
  '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
  errorCode,
});

describe('quiet hours', () => {
  // 2026-03-01T14:30:00Z is 23:30 in Seoul (UTC+9) and 09:30 in New York (UTC-5)
  const at = new Date('2026-03-01T14:30:00Z');

  it('reads the wall clock of the zone', () => {
    expect(localMinuteOfDay(at, 'Asia/Seoul')).toBe(23 * 60 + 30);
    expect(localMinuteOfDay(at, 'America/New_York')).toBe(9 * 60 + 30);
    expect(localMinuteOfDay(new Date('2026-03-01T15:00:00Z'), 'Asia/Seoul')).toBe(0);
  });

  it('wraps midnight, includes the start and excludes the end', () => {
    const night = { start: '22:00', end: '07:00', timeZone: 'Asia/Seoul' };
    expect(inQuietHours(night, at)).toBe(true);
    expect(inQuietHours({ ...night, timeZone: 'America/New_York' }, at)).toBe(false);
    expect(inQuietHours({ ...night, start: '23:30' }, at)).toBe(true);
    expect(inQuietHours({ ...night, start: '23:31' }, at)).toBe(false);
    expect(inQuietHours({ start: '09:00', end: '23:30', timeZone: 'Asia/Seoul' }, at)).toBe(false);
    expect(inQuietHours({ start: '09:00', end: '23:31', timeZone: 'Asia/Seoul' }, at)).toBe(true);
    expect(inQuietHours(null, at)).toBe(false);
  });

  it('follows daylight saving time', () => {
    const evening = { start: '21:00', end: '22:00', timeZone: 'Europe/Berlin' };
    // 20:30Z is 21:30 in Berlin in winter (UTC+1), 22:30 in summer (UTC+2)
    expect(inQuietHours(evening, new Date('2026-01-15T20:30:00Z'))).toBe(true);
    expect(inQuietHours(evening, new Date('2026-07-15T20:30:00Z'))).toBe(false);
  });
});

describe('FCM answers', () => {
  it('calls a token dead on 404 UNREGISTERED and on 400 INVALID_ARGUMENT about the token', () => {
    expect(classifyFcmError(404, { error: { details: [fcmError('UNREGISTERED')] } }, null)).toEqual(
      { kind: 'dead-token', reason: 'FCM answered 404 UNREGISTERED' },
    );
    expect(
      classifyFcmError(400, { error: { details: [fcmError('INVALID_ARGUMENT')] } }, null).kind,
    ).toBe('dead-token');
  });

  it('keeps the device when the message was at fault, or the 404 is not about the token', () => {
    const badField = {
      error: {
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ field: 'message.data[0].value' }],
          },
        ],
      },
    };
    expect(classifyFcmError(400, badField, null)).toEqual({
      kind: 'rejected',
      reason: 'FCM answered 400 INVALID_ARGUMENT (message.data[0].value)',
    });
    expect(classifyFcmError(404, { error: { status: 'NOT_FOUND' } }, null).kind).toBe('rejected');
    expect(
      classifyFcmError(403, { error: { details: [fcmError('SENDER_ID_MISMATCH')] } }, null),
    ).toMatchObject({ kind: 'rejected' });
  });

  it('retries 429, 5xx and 401, with Retry-After in seconds or as a date', () => {
    expect(classifyFcmError(429, null, '7')).toMatchObject({ kind: 'retry', retryAfterMs: 7000 });
    expect(classifyFcmError(503, null, null)).toMatchObject({ kind: 'retry', retryAfterMs: null });
    expect(classifyFcmError(500, null, 'soon')).toMatchObject({
      kind: 'retry',
      retryAfterMs: null,
    });
    expect(classifyFcmError(401, null, null).kind).toBe('retry');
    const now = Date.parse('2026-03-01T00:00:00Z');
    expect(retryAfterMs('Sun, 01 Mar 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sat, 28 Feb 2026 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('999999', now)).toBe(3_600_000);
  });
});

describe('FCM messages', () => {
  const content = {
    category: 'chat' as const,
    title: 'Kim',
    body: 'hello',
    data: { type: 'CHAT_MESSAGE', roomId: '12' },
    collapseKey: '12',
  };

  it('alerts outside quiet hours and collapses per room', () => {
    expect(fcmMessage('tok', content, false)).toEqual({
      token: 'tok',
      notification: { title: 'Kim', body: 'hello' },
      data: { type: 'CHAT_MESSAGE', roomId: '12', title: 'Kim', body: 'hello' },
      android: { priority: 'high', collapse_key: '12', notification: { tag: '12' } },
      apns: {
        headers: { 'apns-priority': '10', 'apns-push-type': 'alert', 'apns-collapse-id': '12' },
      },
    });
  });

  it('is data only in quiet hours', () => {
    expect(fcmMessage('tok', content, true)).toEqual({
      token: 'tok',
      data: { type: 'CHAT_MESSAGE', roomId: '12', title: 'Kim', body: 'hello' },
      android: { priority: 'normal', collapse_key: '12' },
      apns: {
        headers: {
          'apns-priority': '5',
          'apns-push-type': 'background',
          'apns-collapse-id': '12',
        },
        payload: { aps: { 'content-available': 1 } },
      },
    });
  });

  it('cuts by characters and makes data strings', () => {
    expect(cut('😀'.repeat(101), 100)).toBe(`${'😀'.repeat(99)}…`);
    expect(cut('short', 100)).toBe('short');
    expect(stringData({ a: 1, b: null, c: 'x' })).toEqual({ a: '1', c: 'x' });
  });
});
