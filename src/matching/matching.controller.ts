import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, RateLimit } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { ErrorBodyDto } from '../common/errors/error-body.dto';
import { Page, PageOf } from '../common/pagination/cursor';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import {
  CreateMatchingRequestDto,
  ListMatchingRequestsQueryDto,
  MatchingRequestDto,
  RejectMatchingRequestDto,
} from './dto/matching-request.dto';
import { CreateReviewDto, ReviewDto } from './dto/review.dto';
import { MatchingService } from './matching.service';
import { ReviewsService } from './reviews.service';

const MatchingRequestPage = PageOf(MatchingRequestDto);

const NOT_FOUND = {
  type: ErrorBodyDto,
  description: 'No such request, or the caller is neither a participant nor an admin',
};
const INVALID_STATE = {
  type: ErrorBodyDto,
  description: 'MATCHING_INVALID_STATE: the request is not in a state this change starts from',
};

@ApiTags('matching')
@Controller('matching-requests')
export class MatchingController {
  constructor(
    private readonly matching: MatchingService,
    private readonly reviews: ReviewsService,
  ) {}

  @Post()
  @HttpCode(201)
  @Authenticated()
  @RateLimit('matching')
  @ApiOperation({
    summary: 'Send a matching request to the guide of a story',
    description:
      '`desiredDate` runs from today to today + 365 days, "today" being the date in the ' +
      "service's time zone (SERVICE_TIME_ZONE, default Asia/Seoul). " +
      '`message` may be empty. The story must be published and its guide approved (else 404). ' +
      'The guide is notified.',
  })
  @ApiCreatedResponse({ type: MatchingRequestDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'Story not found or not published' })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: 'MATCHING_DUPLICATE: you have a pending or accepted request for this story',
  })
  create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateMatchingRequestDto,
  ): Promise<MatchingRequestDto> {
    return this.matching.create(user, dto);
  }

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'My matching requests',
    description:
      '`role=traveler`: sent, `role=guide`: received, none: both. Optional `status`. Newest first.',
  })
  @ApiOkResponse({ type: MatchingRequestPage })
  list(
    @CurrentUser() user: AuthUser,
    @Query() query: ListMatchingRequestsQueryDto,
  ): Promise<Page<MatchingRequestDto>> {
    return this.matching.list(user, query);
  }

  @Get(':id')
  @Authenticated()
  @ApiOperation({ summary: 'A matching request (participants and admins)' })
  @ApiOkResponse({ type: MatchingRequestDto })
  @ApiNotFoundResponse(NOT_FOUND)
  get(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<MatchingRequestDto> {
    return this.matching.detail(user, id);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Accept (the story’s guide): pending → accepted',
    description:
      'Opens the 1:1 chat room (its id comes back as `chatRoomId`), marks the story matched, ' +
      'notifies the traveller. A guide who is not approved (e.g. suspended) gets 403 GUIDE_REQUIRED.',
  })
  @ApiOkResponse({ type: MatchingRequestDto })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'FORBIDDEN / GUIDE_REQUIRED' })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse(INVALID_STATE)
  accept(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<MatchingRequestDto> {
    return this.matching.accept(user, id);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'Reject (the story’s guide): pending → rejected' })
  @ApiOkResponse({ type: MatchingRequestDto })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'FORBIDDEN: not the guide' })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse(INVALID_STATE)
  reject(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: RejectMatchingRequestDto,
  ): Promise<MatchingRequestDto> {
    return this.matching.reject(user, id, dto);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({
    summary: 'Cancel (the traveller): pending/accepted → cancelled',
    description: 'A chat room of the request becomes read-only.',
  })
  @ApiOkResponse({ type: MatchingRequestDto })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'FORBIDDEN: not the traveller' })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse(INVALID_STATE)
  cancel(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<MatchingRequestDto> {
    return this.matching.cancel(user, id);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'Complete (either participant): accepted → completed' })
  @ApiOkResponse({ type: MatchingRequestDto })
  @ApiForbiddenResponse({
    type: ErrorBodyDto,
    description: 'FORBIDDEN: an admin, not a participant',
  })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse(INVALID_STATE)
  complete(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<MatchingRequestDto> {
    return this.matching.complete(user, id);
  }

  @Post(':id/review')
  @HttpCode(201)
  @Authenticated()
  @ApiOperation({
    summary: 'Review the guide (the traveller, completed requests only, once)',
    description:
      "Updates the guide's `reviewCount` and `averageRating` (the mean of all ratings, stored " +
      'and shown rounded to 2 decimals). Reviews are taken within REVIEW_WINDOW (default 14 ' +
      'days) of completion.',
  })
  @ApiCreatedResponse({ type: ReviewDto })
  @ApiForbiddenResponse({ type: ErrorBodyDto, description: 'FORBIDDEN: not the traveller' })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description:
      'MATCHING_INVALID_STATE: not completed; REVIEW_EXISTS: reviewed already; ' +
      'REVIEW_WINDOW_CLOSED: completed longer than REVIEW_WINDOW ago',
  })
  review(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreateReviewDto,
  ): Promise<ReviewDto> {
    return this.reviews.create(user, id, dto);
  }
}
