import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { CharLength, Trim, MultiLine } from '../../common/validation/validation';
import { GUIDE_STATUSES, GuideStatus } from '../../guides/guide-values';

export class ListAdminGuidesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: GUIDE_STATUSES,
    default: 'pending',
    description: 'Pending applications come oldest first; other states newest application first',
  })
  @IsOptional()
  @IsIn(GUIDE_STATUSES)
  status?: GuideStatus;
}

/** Why an admin rejects or suspends a guide; shown to the guide. */
export class GuideDecisionReasonDto {
  @ApiProperty({ minLength: 1, maxLength: 1000, example: 'The introduction is too vague.' })
  @Trim()
  @IsString()
  @CharLength(1, 1000)
  @MultiLine()
  reason: string;
}
