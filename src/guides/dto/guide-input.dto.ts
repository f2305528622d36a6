import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsString } from 'class-validator';
import {
  CharLength,
  MaxChars,
  OptionalNotNull,
  Trim,
  MultiLine,
} from '../../common/validation/validation';
import { ISO_639_1_CODES } from '../languages';
import { IsId, MAX_ID } from '../../common/validation/id';

const TrimEach = () =>
  Transform(({ value }: { value: unknown }) =>
    Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim() : v)) : value,
  );

/** A guide application (POST /guides/apply). */
export class ApplyGuideDto {
  @ApiProperty({
    minLength: 10,
    maxLength: 2000,
    example: '제주에서 20년 살았어요. 오름과 바다를 안내합니다.',
  })
  @Trim()
  @IsString()
  @CharLength(10, 2000)
  @MultiLine()
  introduction: string;

  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: 10,
    example: ['ko', 'en'],
    description: 'ISO 639-1 codes, lower case, no repeats',
  })
  @TrimEach()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsString({ each: true })
  @IsIn(ISO_639_1_CODES, {
    each: true,
    message: 'each value in languages must be a lower-case ISO 639-1 code',
  })
  languages: string[];

  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 1, maximum: MAX_ID },
    minItems: 1,
    maxItems: 5,
    example: [1],
    description: 'Regions the guide serves (ids from GET /regions)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @ArrayUnique()
  @IsId({ each: true })
  regionIds: number[];

  @ApiPropertyOptional({
    maxLength: 1000,
    description: 'Empty string means none',
    example: '10 years as a licensed tour guide in Jeju',
  })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @MaxChars(1000)
  @MultiLine()
  career?: string;
}

/** PATCH /guides/me: any of the application's fields. */
export class UpdateGuideDto extends PartialType(ApplyGuideDto, { skipNullProperties: false }) {}
