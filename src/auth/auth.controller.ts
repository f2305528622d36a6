import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiFoundResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { InjectConfig } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { Authenticated, PublicRoute, RateLimit } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { ErrorBodyDto } from '../common/errors/error-body.dto';
import type { ExternalProfile } from '../users/users.service';
import { AuthService } from './auth.service';
import { KakaoLoginDto, RefreshTokenDto, TokenPairDto } from './dto/auth.dto';
import {
  KakaoCallbackGuard,
  KakaoCallbackRequest,
  KakaoLoginGuard,
} from './kakao/kakao-web.guards';

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
  @ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'KAKAO_TOKEN_INVALID' })
  @ApiBadGatewayResponse({ type: ErrorBodyDto, description: 'KAKAO_UNAVAILABLE' })
  kakaoLogin(@Body() dto: KakaoLoginDto): Promise<TokenPairDto> {
    return this.auth.loginWithKakaoToken(dto.accessToken);
  }

  @Get('kakao/login')
  @PublicRoute()
  @UseGuards(KakaoLoginGuard)
  @ApiOperation({ summary: "Web flow: redirects to Kakao's login page" })
  @ApiFoundResponse({ description: 'Redirect to Kakao' })
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
  @ApiUnauthorizedResponse({
    type: ErrorBodyDto,
    description: 'UNAUTHORIZED / TOKEN_EXPIRED / REFRESH_TOKEN_REUSED',
  })
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
