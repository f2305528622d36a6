import { Module } from '@nestjs/common';
import { MatchingModule } from '../matching/matching.module';
import { StoriesModule } from '../stories/stories.module';
import { GuideProfilesService } from './guide-profiles.service';
import { GuidesController } from './guides.controller';
import { GuidesModule } from './guides.module';

/**
 * The /guides routes. Applications and the directory are GuidesService's; the public
 * profile pages also show stories and matching numbers, so the routes sit here, above the
 * guides, stories and matching modules.
 */
@Module({
  imports: [GuidesModule, StoriesModule, MatchingModule],
  controllers: [GuidesController],
  providers: [GuideProfilesService],
})
export class GuideProfilesModule {}
