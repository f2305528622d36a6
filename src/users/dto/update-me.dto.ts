import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation/validation';

export class UpdateMeDto {
  @ApiPropertyOptional({ minLength: 2, maxLength: 20, example: '제주토박이' })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(2, 20)
  nickname?: string;

  @ApiPropertyOptional({ maxLength: 500, nullable: true, description: 'Empty string clears it' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(500)
  bio?: string;
}
