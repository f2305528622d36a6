import { ApiProperty } from '@nestjs/swagger';
import { StorySummaryDto } from '../../stories/dto/story.dto';
import { CategoryCountDto, RegionDto } from './region.dto';

/** One region's page: its numbers (areas included) and its most popular stories. */
export class RegionDetailDto extends RegionDto {
  @ApiProperty({ description: 'Approved guides serving this region or an area under it' })
  guideCount: number;
  @ApiProperty({ type: [CategoryCountDto], description: 'At most 3, most stories first' })
  topCategories: CategoryCountDto[];
  @ApiProperty({ type: [StorySummaryDto], description: 'At most 5, most popular first' })
  popularStories: StorySummaryDto[];
}
