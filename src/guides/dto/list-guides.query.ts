import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { Trim } from '../../common/validation/validation';
import { ISO_639_1_CODES } from '../languages';
import { ID_FILTER_SCHEMA, IsId } from '../../common/validation/id';

export const GUIDE_SORTS = ['latest', 'rating', 'reviews'] as const;
export type GuideSort = (typeof GUIDE_SORTS)[number];

export class ListGuidesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    ...ID_FILTER_SCHEMA,
    description: 'Guides serving this region or an area under it',
  })
  @IsOptional()
  @IsId({ fromText: true })
  regionId?: number;

  @ApiPropertyOptional({ description: 'ISO 639-1 code the guide speaks', example: 'en' })
  @IsOptional()
  @Trim()
  @IsIn(ISO_639_1_CODES, { message: 'language must be a lower-case ISO 639-1 code' })
  language?: string;

  @ApiPropertyOptional({
    enum: GUIDE_SORTS,
    default: 'latest',
    description:
      '`latest`: most recently approved first; `rating`: average rating, then review count; `reviews`: review count, then rating. Ties: newest guide first.',
  })
  @IsOptional()
  @IsIn(GUIDE_SORTS)
  sort?: GuideSort;
}
