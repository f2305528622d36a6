import { forwardRef, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChatModule } from '../chat/chat.module';
import { GuidesModule } from '../guides/guides.module';
import { StoriesModule } from '../stories/stories.module';
import { MatchingRequest } from './entities/matching-request.entity';
import { Review } from './entities/review.entity';
import { MatchingController } from './matching.controller';
import { MatchingRepository } from './matching.repository';
import { MatchingService } from './matching.service';
import { ReviewsService } from './reviews.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([MatchingRequest, Review]),
    forwardRef(() => GuidesModule),
    forwardRef(() => StoriesModule),
    // the chat module may look requests up in turn
    forwardRef(() => ChatModule),
  ],
  controllers: [MatchingController],
  providers: [MatchingService, MatchingRepository, ReviewsService],
  exports: [MatchingService],
})
export class MatchingModule {}
