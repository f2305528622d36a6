import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { CharLength, Trim } from '../../../common/validation/validation';
import {
  DEVICE_PLATFORMS,
  type DevicePlatform,
  MAX_DEVICE_TOKEN_LENGTH,
} from '../../entities/device.entity';

/** A BCP 47 language tag as apps report it: `ko`, `ko-KR`, `zh-Hant-TW`. */
const LOCALE = /^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$/;

/** Body of `PUT /users/me/devices`. */
export class RegisterDeviceDto {
  @ApiProperty({
    minLength: 1,
    maxLength: MAX_DEVICE_TOKEN_LENGTH,
    description: 'The FCM registration token of this app installation (from the Firebase SDK)',
    example: 'dGVzdC1kZXZpY2U6QVBBOTFiSDEyMzQ1Njc4OTBhYmNkZWY',
  })
  @Trim()
  @IsString()
  @CharLength(1, MAX_DEVICE_TOKEN_LENGTH)
  token: string;

  @ApiProperty({ enum: DEVICE_PLATFORMS, example: 'android' })
  @IsIn(DEVICE_PLATFORMS)
  platform: DevicePlatform;

  @ApiPropertyOptional({
    maxLength: 35,
    example: 'ko-KR',
    description: 'The app’s language (BCP 47); left out, it is cleared',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @CharLength(1, 35)
  @Matches(LOCALE, { message: 'locale must be a language tag such as ko or ko-KR' })
  locale?: string | null;
}

/** Path of `DELETE /users/me/devices/:token`. */
export class DeviceTokenParamDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_DEVICE_TOKEN_LENGTH })
  @IsString()
  @CharLength(1, MAX_DEVICE_TOKEN_LENGTH)
  token: string;
}

/** A registered device, as the data export shows it. */
export interface DeviceExport {
  token: string;
  platform: DevicePlatform;
  locale: string | null;
  createdAt: string;
  lastSeenAt: string;
}
