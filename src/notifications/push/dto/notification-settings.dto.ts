import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { isTimeZone } from '../../../config/app-config';
import { CharLength, OptionalNotNull, Trim } from '../../../common/validation/validation';
import { HH_MM } from '../quiet-hours';

/** Which categories are pushed (docs/api.md, Push and devices). */
export class PushCategoriesDto {
  @ApiProperty({
    example: true,
    description: 'Matching requests and their answers, trip reminders (MATCHING_*, TRIP_REMINDER)',
  })
  matching: boolean;

  @ApiProperty({ example: true, description: 'Chat messages while no socket of mine is connected' })
  chat: boolean;

  @ApiProperty({ example: true, description: 'Comments and replies (COMMENT_*)' })
  comments: boolean;

  @ApiProperty({ example: true, description: 'Reviews and review reminders (REVIEW_*)' })
  reviews: boolean;

  @ApiProperty({
    example: true,
    description: 'Guide decisions and moderation (GUIDE_*, CONTENT_HIDDEN)',
  })
  system: boolean;
}

/** Quiet hours: pushes still arrive, but without an alert (data only). */
export class QuietHoursDto {
  @ApiProperty({ example: '22:00', description: 'Local time (HH:mm) the quiet hours begin' })
  @IsString()
  @Matches(HH_MM, { message: 'start must be a time HH:mm' })
  start: string;

  @ApiProperty({
    example: '07:00',
    description: 'Local time (HH:mm) they end (not included); earlier than start: over midnight',
  })
  @IsString()
  @Matches(HH_MM, { message: 'end must be a time HH:mm' })
  @ValidateBy({
    name: 'differsFromStart',
    validator: {
      validate: (value: unknown, args) => value !== (args?.object as QuietHoursDto).start,
      defaultMessage: () => 'end must differ from start',
    },
  })
  end: string;

  @ApiProperty({ example: 'Asia/Seoul', description: 'IANA time zone of start and end' })
  @Trim()
  @IsString()
  @CharLength(1, 64)
  @ValidateBy({
    name: 'isTimeZone',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isTimeZone(value),
      defaultMessage: () => 'timeZone must be an IANA time zone such as Asia/Seoul',
    },
  })
  timeZone: string;
}

export class NotificationSettingsDto {
  @ApiProperty({ type: PushCategoriesDto })
  push: PushCategoriesDto;

  @ApiProperty({ type: QuietHoursDto, nullable: true })
  quietHours: QuietHoursDto | null;
}

/** Part of `PATCH /users/me/notification-settings`: the categories given are changed. */
export class UpdatePushCategoriesDto {
  @ApiPropertyOptional({ example: true })
  @OptionalNotNull()
  @IsBoolean()
  matching?: boolean;

  @ApiPropertyOptional({ example: false })
  @OptionalNotNull()
  @IsBoolean()
  chat?: boolean;

  @ApiPropertyOptional({ example: true })
  @OptionalNotNull()
  @IsBoolean()
  comments?: boolean;

  @ApiPropertyOptional({ example: true })
  @OptionalNotNull()
  @IsBoolean()
  reviews?: boolean;

  @ApiPropertyOptional({ example: true })
  @OptionalNotNull()
  @IsBoolean()
  system?: boolean;
}

/** Body of `PATCH /users/me/notification-settings`: what is left out stays as it is. */
export class UpdateNotificationSettingsDto {
  @ApiPropertyOptional({ type: UpdatePushCategoriesDto })
  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => UpdatePushCategoriesDto)
  push?: UpdatePushCategoriesDto;

  @ApiPropertyOptional({
    type: QuietHoursDto,
    nullable: true,
    description: 'The whole quiet hours, or null for none',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => QuietHoursDto)
  quietHours?: QuietHoursDto | null;
}
