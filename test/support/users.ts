import type { TestApp } from './test-app';

export interface SignedIn {
  id: number;
  kakaoId: string;
  accessToken: string;
  refreshToken: string;
  auth: { Authorization: string };
}

let sequence = 0;

/** A Kakao id no other test of this process uses. */
export function uniqueKakaoId(): string {
  sequence += 1;
  return `${process.pid}${String(sequence).padStart(5, '0')}`;
}

/** Signs a new (or the given) user in through dev-login. */
export async function signIn(
  t: TestApp,
  options: { kakaoId?: string; nickname?: string } = {},
): Promise<SignedIn> {
  const kakaoId = options.kakaoId ?? uniqueKakaoId();
  const res = await t
    .http()
    .post('/api/v1/auth/dev-login')
    .send({ kakaoId, nickname: options.nickname ?? `user${kakaoId.slice(-5)}` })
    .expect(200);
  return {
    id: res.body.user.id,
    kakaoId,
    accessToken: res.body.accessToken,
    refreshToken: res.body.refreshToken,
    auth: { Authorization: `Bearer ${res.body.accessToken}` },
  };
}

/** Asserts the contract's error body (docs/api.md, Errors) and returns it. */
export function expectError(
  body: Record<string, unknown>,
  status: number,
  code: string,
): Record<string, unknown> {
  expect(body).toEqual(
    expect.objectContaining({
      statusCode: status,
      code,
      message: expect.any(String),
      requestId: expect.any(String),
      path: expect.any(String),
      timestamp: expect.any(String),
    }),
  );
  expect(body).not.toHaveProperty('stack');
  return body;
}
