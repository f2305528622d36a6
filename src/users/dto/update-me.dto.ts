import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import {
  CharLength,
  MaxChars,
  OptionalNotNull,
  Trim,
  MultiLine,
} from '../../common/validation/validation';

export class UpdateMeDto {
  @ApiPropertyOptional({ minLength: 2, maxLength: 20, example: '제주토박이' })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @CharLength(2, 20)
  nickname?: string;

  @ApiPropertyOptional({
    maxLength: 500,
    description: 'Empty string clears it; may span lines',
    example: '제주에서 나고 자랐어요.\n오름과 바다를 좋아합니다.',
  })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @MaxChars(500)
  @MultiLine()
  bio?: string;
}
