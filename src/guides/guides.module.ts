import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Guide } from './entities/guide.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Guide])],
})
export class GuidesModule {}
