import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiFoundResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { InjectConfig } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { Authenticated, PublicRoute, RateLimit } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import type { ExternalProfile } from '../users/users.service';
import { AuthService } from './auth.service';
import { KakaoLoginDto, RefreshTokenDto, TokenPairDto } from './dto/auth.dto';
import {
  KakaoCallbackGuard,
  KakaoCallbackRequest,
  KakaoLoginGuard,
} from './kakao/kakao-web.guards';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

@ApiTags('auth')
@Controller('auth')
@RateLimit('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  @Post('kakao')
  @HttpCode(200)
  @PublicRoute()
  @ApiOperation({
    summary: 'Sign in with a Kakao access token (mobile SDK flow)',
    description: 'The token is checked with Kakao; the user is created or updated.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(
    { code: 'KAKAO_TOKEN_INVALID', when: 'Kakao did not accept the token' },
    { code: 'KAKAO_UNAVAILABLE', when: 'Kakao did not answer in time' },
  )
  kakaoLogin(@Body() dto: KakaoLoginDto): Promise<TokenPairDto> {
    return this.auth.loginWithKakaoToken(dto.accessToken);
  }

  @Get('kakao/login')
  @PublicRoute()
  @UseGuards(KakaoLoginGuard)
  @ApiOperation({ summary: "Web flow: redirects to Kakao's login page" })
  @ApiFoundResponse({ description: 'Redirect to Kakao' })
  @ApiErrors({
    code: 'NOT_FOUND',
    when: 'Kakao web login is not configured (KAKAO_CLIENT_ID)',
  })
  kakaoWebLogin(): void {
    // KakaoLoginGuard has already answered with the redirect
  }

  @Get('kakao/callback')
  @PublicRoute()
  @UseGuards(KakaoCallbackGuard)
  @ApiOperation({
    summary: 'Web flow: Kakao redirects here after login',
    description:
      'With AUTH_REDIRECT_URL set: 302 to `AUTH_REDIRECT_URL#accessToken=..&refreshToken=..&expiresIn=..`, ' +
      'or `#error=CODE` on failure. Without it: the token pair as JSON.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(
    { code: 'UNAUTHORIZED', when: 'Kakao login was cancelled' },
    { code: 'NOT_FOUND', when: 'Kakao web login is not configured (KAKAO_CLIENT_ID)' },
    { code: 'KAKAO_UNAVAILABLE', when: 'Kakao login failed' },
  )
  async kakaoCallback(@Req() req: KakaoCallbackRequest, @Res() res: Response): Promise<void> {
    const redirectUrl = this.config.auth.redirectUrl;
    try {
      if (req.kakaoLoginError) throw req.kakaoLoginError;
      const pair = await this.auth.login(req.user as ExternalProfile);
      if (!redirectUrl) {
        res.status(200).json(pair);
        return;
      }
      const fragment = new URLSearchParams({
        accessToken: pair.accessToken,
        refreshToken: pair.refreshToken,
        expiresIn: String(pair.expiresIn),
      });
      res.redirect(302, `${redirectUrl}#${fragment.toString()}`);
    } catch (error) {
      if (!redirectUrl || !(error instanceof DomainException)) throw error;
      res.redirect(302, `${redirectUrl}#${new URLSearchParams({ error: error.code }).toString()}`);
    }
  }

  @Post('refresh')
  @HttpCode(200)
  @PublicRoute()
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair',
    description:
      'Refresh tokens are single use. Presenting one that was already exchanged signs the whole session out (REFRESH_TOKEN_REUSED).',
  })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiErrors(
    { code: 'UNAUTHORIZED', when: 'Refresh token is not valid' },
    { code: 'TOKEN_EXPIRED', when: 'Refresh token has expired' },
    {
      code: 'REFRESH_TOKEN_REUSED',
      when: 'This refresh token was used already: the session is revoked, sign in again',
    },
    { code: 'ACCOUNT_SUSPENDED', when: 'This account is suspended' },
  )
  refresh(@Body() dto: RefreshTokenDto): Promise<TokenPairDto> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @Authenticated()
  @ApiOperation({ summary: "Sign out: revokes the refresh token's session" })
  @ApiNoContentResponse()
  logout(@CurrentUser() user: AuthUser, @Body() dto: RefreshTokenDto): Promise<void> {
    return this.auth.logout(user, dto.refreshToken);
  }
}
