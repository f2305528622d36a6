import { Module } from '@nestjs/common';
import { GuidesModule } from '../guides/guides.module';
import { StoriesModule } from '../stories/stories.module';
import { RegionsBrowseService } from './regions-browse.service';
import { RegionsController } from './regions.controller';
import { RegionsModule } from './regions.module';

/**
 * The region routes (GET /regions, /regions/map, /regions/:id), which show what is
 * published where: composed above the regions, guides and stories modules.
 */
@Module({
  imports: [RegionsModule, GuidesModule, StoriesModule],
  controllers: [RegionsController],
  providers: [RegionsBrowseService],
})
export class RegionsBrowseModule {}
