/** Access tokens signed with the benchmark secret: HS256, claims `sub` (string id) and `role`. */
import { createHmac } from 'node:crypto';
import { BENCH_JWT_SECRET } from './common';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export function accessToken(userId: number, role: string, ttlSeconds = 6 * 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(
    JSON.stringify({ sub: String(userId), role, iat: now, exp: now + ttlSeconds }),
  ).toString('base64url');
  const signature = createHmac('sha256', BENCH_JWT_SECRET)
    .update(`${HEADER}.${payload}`)
    .digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}
