import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChatModule } from '../chat/chat.module';
import { GuidesModule } from '../guides/guides.module';
import { StoriesModule } from '../stories/stories.module';
import { MatchingRequest } from './entities/matching-request.entity';
import { Review } from './entities/review.entity';
import { MatchingLifecycle } from './matching-lifecycle';
import { MatchingController } from './matching.controller';
import { MatchingRepository } from './matching.repository';
import { MatchingService } from './matching.service';
import { ReviewsRepository } from './reviews.repository';
import { ReviewsService } from './reviews.service';

/**
 * Matching requests and reviews (their tables). Accepting opens the chat room and marks the
 * story matched through those modules' services, in the acceptance's transaction.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([MatchingRequest, Review]),
    GuidesModule,
    StoriesModule,
    ChatModule,
  ],
  controllers: [MatchingController],
  providers: [
    MatchingService,
    MatchingRepository,
    MatchingLifecycle,
    ReviewsService,
    ReviewsRepository,
  ],
  exports: [MatchingService, ReviewsService],
})
export class MatchingModule {}
