import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, RateLimit } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
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
import { ApiErrors } from '../common/decorators/api-errors.decorator';

const MatchingRequestPage = PageOf(MatchingRequestDto);

const NOT_FOUND = {
  code: 'NOT_FOUND',
  when: 'Matching request not found (or the caller is neither a participant nor an admin)',
} as const;
const INVALID_STATE = {
  code: 'MATCHING_INVALID_STATE',
  when: 'This matching request is cancelled; it cannot be accepted',
} as const;

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
  @ApiErrors(
    {
      code: 'VALIDATION_FAILED',
      when: 'desiredDate must be from today to 365 days ahead',
      field: 'desiredDate',
    },
    { code: 'MATCHING_OWN_STORY', when: 'You cannot request your own story' },
    { code: 'NOT_FOUND', when: 'Story not found (or not published, or its guide not approved)' },
    'MATCHING_DUPLICATE',
  )
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
  @ApiErrors(NOT_FOUND)
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
  @ApiErrors(
    { code: 'FORBIDDEN', when: "Only the story's guide may do this" },
    { code: 'GUIDE_REQUIRED', when: 'Your guide profile is suspended' },
    NOT_FOUND,
    INVALID_STATE,
  )
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
  @ApiErrors({ code: 'FORBIDDEN', when: "Only the story's guide may do this" }, NOT_FOUND, {
    code: 'MATCHING_INVALID_STATE',
    when: 'This matching request is accepted; it cannot be rejected',
  })
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
  @ApiErrors({ code: 'FORBIDDEN', when: 'Only the traveller may do this' }, NOT_FOUND, {
    code: 'MATCHING_INVALID_STATE',
    when: 'This matching request is completed; it cannot be cancelled',
  })
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
  @ApiErrors(
    { code: 'FORBIDDEN', when: 'Only a participant may do this (an admin who is not one)' },
    NOT_FOUND,
    {
      code: 'MATCHING_INVALID_STATE',
      when: 'This matching request is pending; it cannot be completed',
    },
  )
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
  @ApiErrors(
    { code: 'FORBIDDEN', when: 'Only the traveller may review the guide' },
    NOT_FOUND,
    { code: 'MATCHING_INVALID_STATE', when: 'Only completed matchings can be reviewed' },
    'REVIEW_EXISTS',
    {
      code: 'REVIEW_WINDOW_CLOSED',
      when: 'Reviews close 14 days (REVIEW_WINDOW) after completion',
    },
  )
  review(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreateReviewDto,
  ): Promise<ReviewDto> {
    return this.reviews.create(user, id, dto);
  }
}
