import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import { CharLength, Trim } from '../../common/validation/validation';
import { STORY_CATEGORIES, StoryCategory } from '../entities/story.entity';
import { STORY_SORTS, StorySort } from './story-input.dto';
import { ID_FILTER_SCHEMA, IsId } from '../../common/validation/id';

export class ListStoriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    ...ID_FILTER_SCHEMA,
    description: 'Stories of this region and the areas under it',
  })
  @IsOptional()
  @IsId({ fromText: true })
  regionId?: number;

  @ApiPropertyOptional({ enum: STORY_CATEGORIES })
  @IsOptional()
  @IsIn(STORY_CATEGORIES)
  category?: StoryCategory;

  @ApiPropertyOptional({ ...ID_FILTER_SCHEMA, description: 'Stories of this guide profile' })
  @IsOptional()
  @IsId({ fromText: true })
  guideId?: number;

  @ApiPropertyOptional({ description: 'Exact tag (case-insensitive)' })
  @IsOptional()
  @Trim()
  @IsString()
  @CharLength(1, 20)
  tag?: string;

  @ApiPropertyOptional({ description: 'Search in title, content and tags' })
  @IsOptional()
  @Trim()
  @IsString()
  @CharLength(1, 100)
  q?: string;

  @ApiPropertyOptional({
    enum: STORY_SORTS,
    default: 'latest',
    description: 'popular: likes·3 + comments·2 + bookmarks·2 + views·0.1, then newest',
  })
  @IsOptional()
  @IsIn(STORY_SORTS)
  sort?: StorySort;
}
