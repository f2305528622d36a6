import { forwardRef, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { RegionsModule } from '../regions/regions.module';
import { StoriesModule } from '../stories/stories.module';
import { UsersModule } from '../users/users.module';
import { Guide } from './entities/guide.entity';
import { GuideStoriesService } from './guide-stories.service';
import { GuidesController } from './guides.controller';
import { GuidesRepository } from './guides.repository';
import { GuidesService } from './guides.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([Guide]),
    UsersModule,
    AuditModule,
    // regions and stories import each other and this module (forwardRef on every side)
    forwardRef(() => RegionsModule),
    forwardRef(() => StoriesModule),
  ],
  controllers: [GuidesController],
  providers: [GuidesService, GuidesRepository, GuideStoriesService],
  exports: [GuidesService],
})
export class GuidesModule {}
