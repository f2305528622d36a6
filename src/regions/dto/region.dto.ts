import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { STORY_CATEGORIES } from '../../stories/story-values';
import type { Region } from '../entities/region.entity';
import { ID_FILTER_SCHEMA, IsId } from '../../common/validation/id';

/** A region as every region route shows it. */
export class RegionDto {
  @ApiProperty() id: number;
  @ApiProperty({ example: 'jeju-seogwipo' }) code: string;
  @ApiProperty({ example: '서귀포' }) name: string;
  @ApiProperty({ example: 'Seogwipo' }) nameEn: string;
  @ApiProperty({ type: Number, nullable: true }) parentId: number | null;
  @ApiProperty() latitude: number;
  @ApiProperty() longitude: number;
  @ApiProperty({ description: 'Published stories here; a top-level region counts its areas' })
  storyCount: number;

  static from(region: Region, storyCount: number): RegionDto {
    return {
      id: region.id,
      code: region.code,
      name: region.name,
      nameEn: region.nameEn,
      parentId: region.parentId,
      latitude: Number(region.latitude),
      longitude: Number(region.longitude),
      storyCount,
    };
  }
}

export class CategoryCountDto {
  @ApiProperty({ enum: STORY_CATEGORIES }) category: string;
  @ApiProperty() count: number;
}

/** One pin of the map screen. */
export class RegionMapItemDto {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty() latitude: number;
  @ApiProperty() longitude: number;
  @ApiProperty() storyCount: number;
  @ApiProperty({ type: [CategoryCountDto], description: 'At most 3, most stories first' })
  topCategories: CategoryCountDto[];
  @ApiProperty({ type: [String], description: 'At most 5, most used first' })
  topTags: string[];
}

export class RegionMapQueryDto {
  @ApiPropertyOptional({
    ...ID_FILTER_SCHEMA,
    description:
      'Show the areas under this region; without it, the top-level regions (with their areas’ stories)',
  })
  @IsOptional()
  @IsId({ fromText: true })
  parentId?: number;
}
