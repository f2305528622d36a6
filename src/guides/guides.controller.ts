import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated, PublicRoute } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { ErrorBodyDto } from '../common/errors/error-body.dto';
import { Page, PageOf, PageQueryDto } from '../common/pagination/cursor';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { StorySummaryDto } from '../stories/dto/story.dto';
import { ApplyGuideDto, UpdateGuideDto } from './dto/guide-input.dto';
import { GuideDto, GuideReviewDto, GuideSummaryDto, MyGuideDto } from './dto/guide.dto';
import { ListGuidesQueryDto } from './dto/list-guides.query';
import { GuideProfilesService } from './guide-profiles.service';
import { GuidesService } from './guides.service';

const GuidePage = PageOf(GuideSummaryDto);
const StorySummaryPage = PageOf(StorySummaryDto);

const GuideReviewPage = PageOf(GuideReviewDto);

@ApiTags('guides')
@Controller('guides')
export class GuidesController {
  constructor(
    private readonly guides: GuidesService,
    private readonly profiles: GuideProfilesService,
  ) {}

  @Post('apply')
  @HttpCode(201)
  @Authenticated()
  @ApiOperation({
    summary: 'Apply to become a guide',
    description:
      'Creates the guide profile in state `pending`; an admin approves or rejects it. After a rejection the same profile is submitted again.',
  })
  @ApiCreatedResponse({ type: MyGuideDto })
  @ApiConflictResponse({
    type: ErrorBodyDto,
    description: 'GUIDE_ALREADY_APPLIED: pending, approved or suspended already',
  })
  apply(@CurrentUser() user: AuthUser, @Body() dto: ApplyGuideDto): Promise<MyGuideDto> {
    return this.guides.apply(user, dto);
  }

  @Get('me')
  @Authenticated()
  @ApiOperation({
    summary: 'My guide profile',
    description: 'With its state and any rejection reason.',
  })
  @ApiOkResponse({ type: MyGuideDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'Never applied' })
  getMine(@CurrentUser() user: AuthUser): Promise<MyGuideDto> {
    return this.guides.getMine(user);
  }

  @Patch('me')
  @Authenticated()
  @ApiOperation({ summary: 'Edit my guide profile (approved guides)' })
  @ApiOkResponse({ type: MyGuideDto })
  @ApiForbiddenResponse({
    type: ErrorBodyDto,
    description: 'GUIDE_REQUIRED: not an approved guide',
  })
  updateMine(@CurrentUser() user: AuthUser, @Body() dto: UpdateGuideDto): Promise<MyGuideDto> {
    return this.guides.updateMine(user, dto);
  }

  @Get()
  @PublicRoute()
  @ApiOperation({ summary: 'Approved guides' })
  @ApiOkResponse({ type: GuidePage })
  list(
    @CurrentUser() viewer: AuthUser | undefined,
    @Query() query: ListGuidesQueryDto,
  ): Promise<Page<GuideSummaryDto>> {
    return this.guides.list(viewer, query);
  }

  @Get(':id')
  @PublicRoute()
  @ApiOperation({
    summary: "A guide's profile",
    description: 'Guides that are not approved are 404, except to themselves and to admins.',
  })
  @ApiOkResponse({ type: GuideDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  get(
    @CurrentUser() viewer: AuthUser | undefined,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<GuideDto> {
    return this.profiles.profile(viewer, id);
  }

  @Get(':id/stories')
  @PublicRoute()
  @ApiOperation({ summary: "A guide's published stories", description: 'Newest first.' })
  @ApiOkResponse({ type: StorySummaryPage })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  stories(
    @CurrentUser() viewer: AuthUser | undefined,
    @Param('id', ParseIdPipe) id: number,
    @Query() query: PageQueryDto,
  ): Promise<Page<StorySummaryDto>> {
    return this.profiles.stories(viewer, id, query);
  }

  @Get(':id/reviews')
  @PublicRoute()
  @ApiOperation({
    summary: "A guide's reviews",
    description:
      'Reviews travellers wrote after completed matching requests, newest first. 404 as for the profile.',
  })
  @ApiOkResponse({ type: GuideReviewPage })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  reviews(
    @CurrentUser() viewer: AuthUser | undefined,
    @Param('id', ParseIdPipe) id: number,
    @Query() query: PageQueryDto,
  ): Promise<Page<GuideReviewDto>> {
    return this.profiles.reviews(viewer, id, query);
  }
}
