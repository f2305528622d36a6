import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, PublicRoute } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { Page, PageOf, PageQueryDto } from '../common/pagination/cursor';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { StorySummaryDto } from '../stories/dto/story.dto';
import { ApplyGuideDto, UpdateGuideDto } from './dto/guide-input.dto';
import { GuideDto, GuideReviewDto, GuideSummaryDto, MyGuideDto } from './dto/guide.dto';
import { ListGuidesQueryDto } from './dto/list-guides.query';
import { GuideProfilesService } from './guide-profiles.service';
import { GuidesService } from './guides.service';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

const GuidePage = PageOf(GuideSummaryDto);
const StorySummaryPage = PageOf(StorySummaryDto);

const GuideReviewPage = PageOf(GuideReviewDto);

const GUIDE_NOT_FOUND = { code: 'NOT_FOUND', when: 'Guide not found' } as const;

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
  @ApiErrors({
    code: 'GUIDE_ALREADY_APPLIED',
    when: 'You have applied already (pending, approved or suspended)',
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
  @ApiErrors({ code: 'NOT_FOUND', when: 'You have not applied to be a guide' })
  getMine(@CurrentUser() user: AuthUser): Promise<MyGuideDto> {
    return this.guides.getMine(user);
  }

  @Patch('me')
  @Authenticated()
  @ApiOperation({ summary: 'Edit my guide profile (approved guides)' })
  @ApiOkResponse({ type: MyGuideDto })
  @ApiErrors({ code: 'GUIDE_REQUIRED', when: 'Only approved guides may do this; apply first' })
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
  @ApiErrors(GUIDE_NOT_FOUND)
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
  @ApiErrors(GUIDE_NOT_FOUND)
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
  @ApiErrors(GUIDE_NOT_FOUND)
  reviews(
    @CurrentUser() viewer: AuthUser | undefined,
    @Param('id', ParseIdPipe) id: number,
    @Query() query: PageQueryDto,
  ): Promise<Page<GuideReviewDto>> {
    return this.profiles.reviews(viewer, id, query);
  }
}
