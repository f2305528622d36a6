import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsNotEmpty, IsString } from 'class-validator';
import { CharLength, OptionalNotNull, Trim, MultiLine } from '../../common/validation/validation';
import { STORY_CATEGORIES, StoryCategory } from '../entities/story.entity';
import { ID_SCHEMA, IsId } from '../../common/validation/id';

/**
 * Tags arrive as a JSON array, a repeated multipart field, or one comma separated string;
 * all become one trimmed, lower-cased list (empty entries dropped).
 */
const TagList = () =>
  Transform(({ value }: { value: unknown }) => {
    if (value === undefined || value === null) return value;
    const parts = (Array.isArray(value) ? value : [value]).flatMap((item: unknown) =>
      typeof item === 'string' ? item.split(',') : [item],
    );
    return parts
      .map((item) => (typeof item === 'string' ? item.trim().toLowerCase() : item))
      .filter((item) => item !== '');
  });

export class CreateStoryDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Sunrise at Seongsan Ilchulbong' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @CharLength(1, 100)
  title: string;

  @ApiProperty({
    minLength: 1,
    maxLength: 10000,
    description: 'May span lines',
    example: 'We climb before dawn and watch the sun rise over the sea.\nBring a warm jacket.',
  })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @CharLength(1, 10000)
  @MultiLine()
  content: string;

  @ApiProperty({ enum: STORY_CATEGORIES, example: 'nature' })
  @IsIn(STORY_CATEGORIES)
  category: StoryCategory;

  @ApiProperty({
    ...ID_SCHEMA,
    description:
      'An existing region (a top-level one or an area under it); multipart sends it as text',
  })
  // multipart sends numbers as text; JSON may send them as numbers
  @IsId({ fromText: true })
  regionId: number;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 10,
    example: ['jeju', 'sunrise'],
    description: '0–10 tags of 1–20 characters; a repeated field or one comma separated value',
  })
  @OptionalNotNull()
  @TagList()
  @IsArray()
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsString({ each: true })
  @CharLength(1, 20, { each: true })
  tags?: string[];
}

/** Multipart form of POST /stories, for Swagger: the fields above plus the files. */
export class CreateStoryMultipartDto extends CreateStoryDto {
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', format: 'binary' },
    maxItems: 10,
    description: 'Photos (JPEG, PNG, WebP, HEIC ≤ 10 MB) and videos (MP4, MOV, WebM ≤ 200 MB)',
  })
  media?: unknown[];
}

export class UpdateStoryDto extends PartialType(CreateStoryDto, { skipNullProperties: false }) {}

export class AddMediaMultipartDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'binary' },
    maxItems: 10,
    description: 'Files to add; a story holds at most 10 in total',
  })
  media: unknown[];
}

export const STORY_SORTS = ['latest', 'popular'] as const;
export type StorySort = (typeof STORY_SORTS)[number];
