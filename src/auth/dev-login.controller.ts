import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PublicRoute, RateLimit } from '../common/decorators/auth.decorator';
import { AuthService } from './auth.service';
import { DevLoginDto, TokenPairDto } from './dto/auth.dto';

/** Only mounted with AUTH_DEV_LOGIN=true outside production (see AuthModule). */
@ApiTags('auth')
@Controller('auth')
@RateLimit('devLogin')
export class DevLoginController {
  constructor(private readonly auth: AuthService) {}

  @Post('dev-login')
  @HttpCode(200)
  @PublicRoute()
  @ApiOperation({
    summary: 'Sign in without Kakao (development and QA only)',
    description: 'Same upsert as a Kakao login, keyed by the given Kakao id.',
  })
  @ApiOkResponse({ type: TokenPairDto })
  devLogin(@Body() dto: DevLoginDto): Promise<TokenPairDto> {
    return this.auth.login({
      kakaoId: dto.kakaoId,
      nickname: dto.nickname,
      profileImageUrl: null,
      email: null,
    });
  }
}
