import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Region } from './entities/region.entity';
import { RegionsRepository } from './regions.repository';
import { RegionSeeder } from './regions.seed';
import { RegionsService } from './regions.service';

/**
 * The regions table, its seed, and the lookups guides and stories make on it. It depends on
 * no domain module; the region routes are in RegionsBrowseModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Region])],
  providers: [RegionsService, RegionsRepository, RegionSeeder],
  exports: [RegionsService],
})
export class RegionsModule {}
