import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectConfig } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';

import { UsersService, ExternalProfile } from '../users/users.service';
import { AccountService } from '../users/account.service';
import { UserSuspendedEvent, UserWithdrawnEvent } from '../users/users.events';
import type { TokenPairDto } from './dto/auth.dto';
import { KakaoClient } from './kakao/kakao.client';
import { TokenService } from './token.service';

@Injectable()
export class AuthService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly tokens: TokenService,
    private readonly kakao: KakaoClient,
    private readonly account: AccountService,
  ) {}

  /** Mobile flow: the app's Kakao access token is checked with Kakao itself. */
  async loginWithKakaoToken(kakaoAccessToken: string): Promise<TokenPairDto> {
    return this.login(await this.kakao.getProfile(kakaoAccessToken));
  }

  /**
   * Signs a person in from a provider profile (Kakao, either flow, or dev-login): upsert,
   * admin promotion from ADMIN_KAKAO_IDS, suspension check, new session.
   */
  async login(profile: ExternalProfile): Promise<TokenPairDto> {
    const makeAdmin = this.config.auth.adminKakaoIds.includes(profile.kakaoId);
    const user = await this.users.upsertFromProfile(profile, makeAdmin);
    const caller = await this.users.authenticate(user.id);
    const issued = await this.tokens.issue(caller);
    return { ...issued, user: await this.account.getMe(caller) };
  }

  async refresh(refreshToken: string): Promise<TokenPairDto> {
    // the account first (docs/api.md, Auth: a suspended user's refresh is 403 ACCOUNT_SUSPENDED, even
    // though suspension also revoked the token), and without rotating anything
    const ownerId = await this.tokens.ownerOf(refreshToken);
    if (ownerId === null) throw new DomainException('UNAUTHORIZED', 'Refresh token is not valid');
    const caller = await this.users.authenticate(ownerId);
    const issued = await this.tokens.rotate(refreshToken, caller);
    return { ...issued, user: await this.account.getMe(caller) };
  }

  /** Ends the session the refresh token belongs to (its whole family), if it is the caller's. */
  async logout(caller: AuthUser, refreshToken: string): Promise<void> {
    const familyId = await this.tokens.findFamilyOf(refreshToken, caller.id);
    if (familyId) await this.tokens.revokeFamily(familyId);
  }

  /** A withdrawn or suspended account's sessions end (refresh tokens revoked). */
  @OnEvent(UserWithdrawnEvent.NAME, { promisify: true })
  @OnEvent(UserSuspendedEvent.NAME, { promisify: true })
  async onAccountClosed(event: UserWithdrawnEvent | UserSuspendedEvent): Promise<void> {
    await this.tokens.revokeAllOfUser(event.userId);
  }
}
