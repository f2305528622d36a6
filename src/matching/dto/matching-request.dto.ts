import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateBy } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { MaxChars, OptionalNotNull, Trim, MultiLine } from '../../common/validation/validation';
import { MATCHING_STATUSES, MatchingStatus } from '../entities/matching-request.entity';
import { ID_SCHEMA, IsId } from '../../common/validation/id';

export const MAX_DAYS_AHEAD = 365;
export const MAX_PARTY_SIZE = 20;
export const MAX_MESSAGE_LENGTH = 1000;
export const MAX_REJECT_REASON_LENGTH = 500;

/** A real calendar date `YYYY-MM-DD` (the service checks that it is not past, nor too far). */
function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  // Date.parse rolls 2026-02-30 over to March: a real date prints back the same
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

const IsCalendarDate = () =>
  ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value) => isCalendarDate(value),
      defaultMessage: (args) => `${args?.property ?? 'date'} must be a date YYYY-MM-DD`,
    },
  });

export class CreateMatchingRequestDto {
  @ApiProperty({ ...ID_SCHEMA, description: 'A published story; its guide receives the request' })
  @IsId()
  storyId: number;

  @ApiProperty({
    example: '2026-12-24',
    description: `YYYY-MM-DD, from today to today + ${MAX_DAYS_AHEAD} days inclusive; "today" is the date in the service's time zone (SERVICE_TIME_ZONE, default Asia/Seoul). Swagger UI's example is 30 days from the day the document was built.`,
  })
  @IsCalendarDate()
  desiredDate: string;

  @ApiPropertyOptional({ example: '14:30', description: 'HH:mm, 00:00–23:59' })
  @OptionalNotNull()
  @IsString()
  @Matches(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'desiredTime must be HH:mm (00:00–23:59)' })
  desiredTime?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PARTY_SIZE, default: 1 })
  @OptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_PARTY_SIZE)
  partySize?: number;

  @ApiPropertyOptional({
    maxLength: MAX_MESSAGE_LENGTH,
    default: '',
    description: 'Trimmed first; may be empty or left out',
  })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @MaxChars(MAX_MESSAGE_LENGTH)
  @MultiLine()
  message?: string;
}

export class RejectMatchingRequestDto {
  @ApiPropertyOptional({
    maxLength: MAX_REJECT_REASON_LENGTH,
    description: 'Shown to the traveller; trimmed, empty means none',
    example: 'Sorry, I am fully booked on that date.',
  })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @MaxChars(MAX_REJECT_REASON_LENGTH)
  @MultiLine()
  reason?: string;
}

export const MATCHING_ROLES = ['traveler', 'guide'] as const;
export type MatchingRole = (typeof MATCHING_ROLES)[number];

export class ListMatchingRequestsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: MATCHING_ROLES,
    description:
      '`traveler`: requests I sent; `guide`: requests I received. Left out: both. Newest first.',
  })
  @IsOptional()
  @IsIn(MATCHING_ROLES)
  role?: MatchingRole;

  @ApiPropertyOptional({ enum: MATCHING_STATUSES })
  @IsOptional()
  @IsIn(MATCHING_STATUSES)
  status?: MatchingStatus;
}

export class MatchingStoryDto {
  @ApiProperty() id: number;
  @ApiProperty() title: string;
  @ApiProperty({ type: String, nullable: true }) thumbnailUrl: string | null;
}

export class MatchingTravelerDto {
  @ApiProperty() id: number;
  @ApiProperty() nickname: string;
  @ApiProperty({ type: String, nullable: true }) profileImageUrl: string | null;
}

export class MatchingGuideDto {
  @ApiProperty({ description: 'Guide profile id' }) id: number;
  @ApiProperty() userId: number;
  @ApiProperty() nickname: string;
  @ApiProperty({ type: String, nullable: true }) profileImageUrl: string | null;
}

export class MatchingRequestDto {
  @ApiProperty() id: number;
  @ApiProperty({
    enum: MATCHING_STATUSES,
    description:
      'pending → accepted | rejected | cancelled | expired; accepted → completed | cancelled. ' +
      '`expired`: nobody answered by the end of the desired date or within MATCHING_PENDING_TTL ' +
      '(72h); an accepted request completes by itself MATCHING_AUTO_COMPLETE_AFTER (48h) after ' +
      'the end of its desired date.',
  })
  status: MatchingStatus;
  @ApiProperty({ type: MatchingStoryDto }) story: MatchingStoryDto;
  @ApiProperty({ type: MatchingTravelerDto }) traveler: MatchingTravelerDto;
  @ApiProperty({ type: MatchingGuideDto }) guide: MatchingGuideDto;
  @ApiProperty({ example: '2026-12-24' }) desiredDate: string;
  @ApiProperty({ type: String, nullable: true, example: '14:30' }) desiredTime: string | null;
  @ApiProperty() partySize: number;
  @ApiProperty() message: string;
  @ApiProperty({ type: String, nullable: true }) rejectReason: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Set once accepted' })
  chatRoomId: number | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true, description: 'When the guide accepted/rejected' })
  respondedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) completedAt: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'When a pending request expired' })
  expiredAt: string | null;
}
