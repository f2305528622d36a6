import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { GuideReviewDto } from '../../guides/dto/guide.dto';
import { MaxChars, OptionalNotNull, Trim, MultiLine } from '../../common/validation/validation';

export const MAX_REVIEW_LENGTH = 1000;

export class CreateReviewDto {
  @ApiProperty({ minimum: 1, maximum: 5, description: 'Whole stars', example: 5 })
  @IsInt()
  @Min(1)
  @Max(5)
  rating: number;

  @ApiPropertyOptional({
    maxLength: MAX_REVIEW_LENGTH,
    default: '',
    description: 'Trimmed first; may be empty (a rating alone)',
  })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @MaxChars(MAX_REVIEW_LENGTH)
  @MultiLine()
  content?: string;
}

/** A review as its author gets it back on creation. */
export class ReviewDto extends GuideReviewDto {
  @ApiProperty() matchingRequestId: number;
  @ApiProperty({ description: 'The reviewed guide profile' }) guideId: number;
}
