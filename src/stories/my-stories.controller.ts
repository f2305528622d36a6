import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { PageOf } from '../common/pagination/cursor';
import { ListStoriesQueryDto } from './dto/list-stories.query';
import { StorySummaryDto } from './dto/story.dto';
import { StoriesService } from './stories.service';

@ApiTags('users')
@Controller('users/me/stories')
export class MyStoriesController {
  constructor(private readonly stories: StoriesService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'My own stories, hidden ones included',
    description: 'Same filters and sorts as GET /stories; empty for users who never published.',
  })
  @ApiOkResponse({ type: PageOf(StorySummaryDto) })
  list(@CurrentUser() user: AuthUser, @Query() query: ListStoriesQueryDto) {
    return this.stories.list(user, query, user.id);
  }
}
