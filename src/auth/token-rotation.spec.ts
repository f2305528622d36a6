import { IsNull } from 'typeorm';
import { AppContext, createAppContext } from '../../test/support/app-context';
import { DomainException } from '../common/errors/domain.exception';
import { UsersService } from '../users/users.service';
import { AuthService } from './auth.service';
import { RefreshToken } from './entities/refresh-token.entity';

/**
 * Refresh token rotation (docs/api.md, Auth) against the real services and a real SQLite data source:
 * every refresh rotates, a rotated token coming back ends its whole family (what was issued
 * from it concurrently included), other sessions live on.
 */
describe('refresh token rotation', () => {
  let ctx: AppContext;
  let auth: AuthService;
  const tokens = () => ctx.dataSource.getRepository(RefreshToken);

  beforeAll(async () => {
    ctx = await createAppContext();
    auth = ctx.get(AuthService);
  });
  afterAll(async () => ctx.close());

  let kakao = 0;
  const login = (kakaoId = `77${++kakao}`) =>
    auth.login({ kakaoId, nickname: 'rotator', profileImageUrl: null, email: null });

  async function codeOf(work: Promise<unknown>): Promise<string> {
    try {
      await work;
      return 'ok';
    } catch (error) {
      if (error instanceof DomainException) return error.code;
      throw error;
    }
  }

  it('each refresh answers a new pair and retires the token it used', async () => {
    const first = await login();
    const second = await auth.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const third = await auth.refresh(second.refreshToken);
    expect(third.user.id).toBe(first.user.id);
    const rows = await tokens().findBy({ userId: first.user.id });
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.familyId)).size).toBe(1);
    expect(rows.filter((r) => r.rotatedAt === null)).toHaveLength(1);
  });

  it('a rotated token coming back revokes the family, the newest token included', async () => {
    const first = await login();
    const second = await auth.refresh(first.refreshToken);
    expect(await codeOf(auth.refresh(first.refreshToken))).toBe('REFRESH_TOKEN_REUSED');
    expect(await codeOf(auth.refresh(second.refreshToken))).toBe('UNAUTHORIZED');
    expect(await tokens().countBy({ userId: first.user.id, revokedAt: IsNull() })).toBe(0);
  });

  it('two refreshes with one token at once: no token of the family works afterwards', async () => {
    for (let round = 0; round < 5; round++) {
      const session = await login();
      const outcomes = await Promise.allSettled([
        auth.refresh(session.refreshToken),
        auth.refresh(session.refreshToken),
      ]);
      const winners = outcomes.filter((o) => o.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      const won = (winners[0] as PromiseFulfilledResult<{ refreshToken: string }>).value;
      expect(await codeOf(auth.refresh(won.refreshToken))).toBe('UNAUTHORIZED');
    }
  });

  it('another session of the same user is not touched by a reuse', async () => {
    const kakaoId = '7799';
    const phone = await login(kakaoId);
    const laptop = await login(kakaoId);
    await auth.refresh(phone.refreshToken);
    expect(await codeOf(auth.refresh(phone.refreshToken))).toBe('REFRESH_TOKEN_REUSED');
    expect(await codeOf(auth.refresh(laptop.refreshToken))).toBe('ok');
  });

  it('expired, unknown and logged-out tokens are refused; a suspended owner gets 403', async () => {
    const session = await login();
    await tokens().update({ userId: session.user.id }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await codeOf(auth.refresh(session.refreshToken))).toBe('TOKEN_EXPIRED');
    expect(await codeOf(auth.refresh('not-a-token-we-issued'))).toBe('UNAUTHORIZED');

    const other = await login();
    await auth.logout({ id: other.user.id, role: 'user', status: 'active' }, other.refreshToken);
    expect(await codeOf(auth.refresh(other.refreshToken))).toBe('UNAUTHORIZED');

    const suspended = await login();
    await ctx.get(UsersService).suspend({ userId: suspended.user.id, reason: 'spam', until: null });
    expect(await codeOf(auth.refresh(suspended.refreshToken))).toBe('ACCOUNT_SUSPENDED');
    expect(await tokens().countBy({ userId: suspended.user.id, revokedAt: IsNull() })).toBe(0);
  });
});
