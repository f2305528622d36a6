import { forwardRef, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StoriesModule } from '../stories/stories.module';
import { Region } from './entities/region.entity';
import { RegionDetailsService } from './region-details.service';
import { RegionsController } from './regions.controller';
import { RegionsRepository } from './regions.repository';
import { RegionSeeder } from './regions.seed';
import { RegionsService } from './regions.service';

@Module({
  imports: [TypeOrmModule.forFeature([Region]), forwardRef(() => StoriesModule)],
  controllers: [RegionsController],
  providers: [RegionsService, RegionsRepository, RegionSeeder, RegionDetailsService],
  exports: [RegionsService],
})
export class RegionsModule {}
