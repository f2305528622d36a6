import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PublicRoute } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { RegionDetailDto } from './dto/region-detail.dto';
import { RegionDto, RegionMapItemDto, RegionMapQueryDto } from './dto/region.dto';
import { RegionsBrowseService } from './regions-browse.service';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

@ApiTags('regions')
@Controller('regions')
export class RegionsController {
  constructor(private readonly regions: RegionsBrowseService) {}

  @Get()
  @PublicRoute()
  @ApiOperation({
    summary: 'All regions',
    description:
      'Top-level regions (시/도) in a fixed order, each followed by its tourist areas. `storyCount` counts published stories; a top-level region counts its areas’ too.',
  })
  @ApiOkResponse({ type: [RegionDto] })
  list(): Promise<RegionDto[]> {
    return this.regions.list();
  }

  @Get('map')
  @PublicRoute()
  @ApiOperation({
    summary: 'Region pins for the map screen',
    description:
      'Without `parentId`: the top-level regions, counting the stories of their areas too. With `parentId`: the areas under that region. Published stories only.',
  })
  @ApiOkResponse({ type: [RegionMapItemDto] })
  @ApiErrors({ code: 'NOT_FOUND', when: 'Region not found (parentId)' })
  map(@Query() query: RegionMapQueryDto): Promise<RegionMapItemDto[]> {
    return this.regions.map(query.parentId);
  }

  @Get(':id')
  @PublicRoute()
  @ApiOperation({
    summary: 'One region with its numbers and most popular stories',
    description:
      'Counts include the areas under the region. `popularStories`: the 5 best by likes·3 + comments·2 + bookmarks·2 + views·0.1, then newest.',
  })
  @ApiOkResponse({ type: RegionDetailDto })
  @ApiErrors({ code: 'NOT_FOUND', when: 'Region not found' })
  detail(
    @CurrentUser() viewer: AuthUser | undefined,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<RegionDetailDto> {
    return this.regions.detail(viewer, id);
  }
}
