import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../common/decorators/current-user.decorator';
import { DomainException } from '../common/errors/domain.exception';
import { Page, PageQueryDto, toPage } from '../common/pagination/cursor';
import { byPages } from '../common/streaming/json-document';
import { spokenDuration } from '../common/time/spoken-duration';
import { isUniqueViolation } from '../database/sql';
import { runInTransaction } from '../database/transaction';
import type { AppConfig } from '../config/app-config';
import { InjectConfig } from '../config/config.module';
import { GuidesService } from '../guides/guides.service';
import { blockViewerId } from '../users/blocks.sql';
import type { User } from '../users/entities/user.entity';
import { CreateReviewDto, ReviewDto } from './dto/review.dto';
import type { Review } from './entities/review.entity';
import { ReviewCreatedEvent } from './matching.events';
import { MatchingService } from './matching.service';
import { ReviewsRepository } from './reviews.repository';

function reviewExists(): DomainException {
  return new DomainException('REVIEW_EXISTS', 'You already reviewed this matching');
}

/** Reviews of guides by travellers after completed matchings: one per request. */
@Injectable()
export class ReviewsService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reviews: ReviewsRepository,
    private readonly matching: MatchingService,
    private readonly guides: GuidesService,
    private readonly events: EventEmitter2,
  ) {}

  /**
   * The traveller reviews the guide of a completed request. In one transaction: the guide's
   * review count goes up, the review is stored (its unique request id makes a second review
   * fail, also under races: 409 REVIEW_EXISTS), and the average is recomputed from the rows.
   */
  async create(user: AuthUser, requestId: number, dto: CreateReviewDto): Promise<ReviewDto> {
    const request = await this.matching.requireParticipant(user, requestId);
    if (request.travelerId !== user.id) {
      throw new DomainException('FORBIDDEN', 'Only the traveller may review the guide');
    }
    if (request.status !== 'completed') {
      throw new DomainException(
        'MATCHING_INVALID_STATE',
        `Only completed requests can be reviewed; this one is ${request.status}`,
        { status: request.status },
      );
    }
    if (await this.reviews.existsForRequest(requestId)) throw reviewExists();
    const window = this.config.lifecycle.reviewWindowSeconds;
    if (request.completedAt && request.completedAt.getTime() + window * 1000 < Date.now()) {
      throw new DomainException(
        'REVIEW_WINDOW_CLOSED',
        `Reviews are accepted for ${spokenDuration(window)} after the trip was completed`,
        { completedAt: request.completedAt.toISOString() },
      );
    }
    let reviewId: number;
    try {
      reviewId = await runInTransaction(this.dataSource, async (manager) => {
        // the guide's row first: its lock orders concurrent reviews of one guide, so the
        // average below sees every committed review
        await this.guides.countReview(manager, request.guideId);
        const id = await this.reviews.insert(manager, {
          matchingRequestId: request.id,
          guideId: request.guideId,
          travelerId: user.id,
          rating: dto.rating,
          content: dto.content ?? '',
        });
        const average = await this.reviews.averageRating(manager, request.guideId);
        await this.guides.setAverageRating(manager, request.guideId, average);
        return id;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw reviewExists();
      throw error;
    }
    await this.events.emitAsync(
      ReviewCreatedEvent.NAME,
      new ReviewCreatedEvent(
        reviewId,
        request.id,
        request.guideId,
        request.guideUserId,
        user.id,
        dto.rating,
      ),
    );
    return this.read(reviewId);
  }

  /** A guide's reviews with their authors, newest first (ids grow with time). */
  async pageForGuide(
    viewer: AuthUser | undefined,
    guideId: number,
    query: PageQueryDto,
  ): Promise<Page<Review>> {
    const rows = await this.reviews.pageForGuide(
      guideId,
      query.limit,
      query.cursor,
      blockViewerId(viewer),
    );
    return toPage(
      rows,
      query.limit,
      (r) => [r.id],
      (r) => r,
    );
  }

  /**
   * For a data export (docs/api.md, Blocking and account rights): reviews the user wrote, or received as guide `guideId`.
   * Authors other than the user show with their nickname only.
   */
  async *exportOf(by: { travelerId: number } | { guideId: number }): AsyncGenerator<ReviewDto> {
    for await (const review of byPages((after) => this.reviews.byAfter(by, after, 200))) {
      yield this.toDto(review);
    }
  }

  private async read(reviewId: number): Promise<ReviewDto> {
    return this.toDto((await this.reviews.findWithTraveler(reviewId)) as Review);
  }

  private toDto(review: Review): ReviewDto {
    const traveler = review.traveler as User;
    return {
      id: review.id,
      matchingRequestId: review.matchingRequestId,
      guideId: review.guideId,
      rating: review.rating,
      content: review.content,
      traveler: {
        id: traveler.id,
        nickname: traveler.nickname,
        profileImageUrl: traveler.profileImageUrl,
      },
      createdAt: review.createdAt.toISOString(),
    };
  }
}
