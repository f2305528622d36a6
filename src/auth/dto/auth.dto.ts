import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, Matches } from 'class-validator';
import { CharLength, MaxChars, Trim } from '../../common/validation/validation';
import { MeDto } from '../../users/dto/user.dto';
import { BEARER_TOKEN } from '../kakao/kakao.client';

export class KakaoLoginDto {
  @ApiProperty({
    description: 'Access token from the Kakao SDK',
    example: 'kakao-sdk-access-token',
  })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxChars(4096)
  @Matches(BEARER_TOKEN, {
    message: 'accessToken must be a bearer token (letters, digits and -._~+/ only)',
  })
  accessToken: string;
}

export class RefreshTokenDto {
  @ApiProperty({
    description: 'The `refreshToken` of the last sign-in or refresh',
    example: 'paste-the-refreshToken-here',
  })
  @IsString()
  @IsNotEmpty()
  @MaxChars(256)
  refreshToken: string;
}

export class DevLoginDto {
  @ApiProperty({
    description: 'Kakao id to sign in as (digits, string or number)',
    example: '1000001',
  })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : value,
  )
  @IsString({ message: 'kakaoId must be digits' })
  @Matches(/^\d{1,20}$/, { message: 'kakaoId must be digits' })
  kakaoId: string;

  @ApiProperty({ minLength: 2, maxLength: 20, example: 'QA 여행자' })
  @Trim()
  @IsString()
  @CharLength(2, 20)
  nickname: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'JWT for `Authorization: Bearer ...`' }) accessToken: string;
  @ApiProperty({ description: 'Opaque; single use, rotated by POST /auth/refresh' })
  refreshToken: string;
  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 })
  expiresIn: number;
  @ApiProperty({ type: MeDto }) user: MeDto;
}
