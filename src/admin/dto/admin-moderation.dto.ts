import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsString, Matches } from 'class-validator';
import { CharLength, OptionalNotNull, Trim, MultiLine } from '../../common/validation/validation';
import { STORY_STATUSES, StoryStatus } from '../../stories/story-values';

/** A date-time with a zone (`Z` or `±hh:mm`); a bare date or a local time is ambiguous. */
const DATE_TIME_WITH_ZONE =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export class SuspendUserDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 1000,
    example: 'Repeated abusive messages in chat.',
    description: 'Why; kept on the account and in the audit log.',
  })
  @Trim()
  @IsString()
  @CharLength(1, 1000)
  @MultiLine()
  reason: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2030-01-31T15:00:00Z',
    description:
      'End of a timed suspension: an ISO-8601 date-time with a zone, in the future. The ' +
      'suspension ends by itself then (kept to the second, rounded up). Leave it out for a suspension until an admin lifts it ' +
      '(`null` is refused).',
  })
  @OptionalNotNull()
  @IsString()
  @Matches(DATE_TIME_WITH_ZONE, {
    message: 'until must be an ISO-8601 date-time with a zone, e.g. 2030-01-31T15:00:00Z',
  })
  @IsISO8601({ strict: true })
  until?: string;
}

export class HideStoryDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 1000,
    example: 'Advertises an unlicensed tour operator.',
    description: 'Why; sent to the author with the CONTENT_HIDDEN notification.',
  })
  @Trim()
  @IsString()
  @CharLength(1, 1000)
  @MultiLine()
  reason: string;
}

/** A story's moderation state after hide/unhide. */
export class ModeratedStoryDto {
  @ApiProperty() id: number;
  @ApiProperty({ description: 'The author (the guide’s user id)' }) userId: number;
  @ApiProperty({ enum: STORY_STATUSES }) status: StoryStatus;
  @ApiProperty({ type: String, nullable: true }) hiddenReason: string | null;
}
