import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { RegionsModule } from '../regions/regions.module';
import { UsersModule } from '../users/users.module';
import { Guide } from './entities/guide.entity';
import { GuidesRepository } from './guides.repository';
import { GuidesService } from './guides.service';

/**
 * Guide profiles (the guides and guide_regions tables): applications, admins' decisions, the
 * directory, ratings. It depends on users and regions only; the /guides routes are in
 * GuideProfilesModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Guide]), UsersModule, RegionsModule, AuditModule],
  providers: [GuidesService, GuidesRepository],
  exports: [GuidesService],
})
export class GuidesModule {}
