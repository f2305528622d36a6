import { Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { Page, PageOf, PageQueryDto } from '../common/pagination/cursor';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { BookmarkStateDto, LikeStateDto } from './dto/reaction.dto';
import { StorySummaryDto } from './dto/story.dto';
import { ReactionsService } from './reactions.service';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

const IDEMPOTENT =
  'Idempotent: repeating it changes nothing and answers 200 again. The count is read after ' +
  'the change and never drifts from the rows, also under concurrent requests. 404 for ' +
  'stories the caller cannot see, and for deleted ones.';

const StorySummaryPage = PageOf(StorySummaryDto);

@ApiTags('stories')
@Controller('stories/:id')
@ApiParam({ name: 'id', type: Number, description: 'Story id' })
export class ReactionsController {
  constructor(private readonly reactions: ReactionsService) {}

  @Put('like')
  @Authenticated()
  @ApiOperation({ summary: 'Like a story', description: IDEMPOTENT })
  @ApiOkResponse({ type: LikeStateDto })
  @ApiErrors({ code: 'NOT_FOUND', when: 'Story not found' })
  like(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number): Promise<LikeStateDto> {
    return this.reactions.like(user, id);
  }

  @Delete('like')
  @Authenticated()
  @ApiOperation({ summary: 'Take back my like of a story', description: IDEMPOTENT })
  @ApiOkResponse({ type: LikeStateDto })
  @ApiErrors({ code: 'NOT_FOUND', when: 'Story not found' })
  unlike(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<LikeStateDto> {
    return this.reactions.unlike(user, id);
  }

  @Put('bookmark')
  @Authenticated()
  @ApiOperation({ summary: 'Bookmark a story', description: IDEMPOTENT })
  @ApiOkResponse({ type: BookmarkStateDto })
  @ApiErrors({ code: 'NOT_FOUND', when: 'Story not found' })
  bookmark(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<BookmarkStateDto> {
    return this.reactions.bookmark(user, id);
  }

  @Delete('bookmark')
  @Authenticated()
  @ApiOperation({ summary: 'Remove my bookmark of a story', description: IDEMPOTENT })
  @ApiOkResponse({ type: BookmarkStateDto })
  @ApiErrors({ code: 'NOT_FOUND', when: 'Story not found' })
  unbookmark(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<BookmarkStateDto> {
    return this.reactions.unbookmark(user, id);
  }
}

const MY_LIST =
  'Story summaries, newest first by when I reacted. Only stories that are still published ' +
  'are listed; a story that is hidden or deleted drops out (and comes back if shown again).';

@ApiTags('users')
@Controller('users/me')
export class MyReactionsController {
  constructor(private readonly reactions: ReactionsService) {}

  @Get('likes')
  @Authenticated()
  @ApiOperation({ summary: 'Stories I like', description: MY_LIST })
  @ApiOkResponse({ type: StorySummaryPage })
  likes(
    @CurrentUser() user: AuthUser,
    @Query() query: PageQueryDto,
  ): Promise<Page<StorySummaryDto>> {
    return this.reactions.myLikes(user, query);
  }

  @Get('bookmarks')
  @Authenticated()
  @ApiOperation({ summary: 'Stories I bookmarked', description: MY_LIST })
  @ApiOkResponse({ type: StorySummaryPage })
  bookmarks(
    @CurrentUser() user: AuthUser,
    @Query() query: PageQueryDto,
  ): Promise<Page<StorySummaryDto>> {
    return this.reactions.myBookmarks(user, query);
  }
}
