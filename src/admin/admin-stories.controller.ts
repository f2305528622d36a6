import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { ErrorBodyDto } from '../common/errors/error-body.dto';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { AdminModerationService } from './admin-moderation.service';
import { HideStoryDto, ModeratedStoryDto } from './dto/admin-moderation.dto';

@ApiTags('admin')
@Controller('admin/stories')
@Authenticated('admin')
export class AdminStoriesController {
  constructor(private readonly moderation: AdminModerationService) {}

  @Post(':id/hide')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Hide a published story',
    description:
      'Others get 404 for it while hidden; the author still sees it (status `hidden`) and gets ' +
      'a CONTENT_HIDDEN notification with the reason. One audit entry `story.hide`.',
  })
  @ApiOkResponse({ type: ModeratedStoryDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'Unknown or deleted story' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'CONFLICT: not published' })
  hide(
    @CurrentUser() admin: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: HideStoryDto,
  ): Promise<ModeratedStoryDto> {
    return this.moderation.hideStory(admin, id, dto.reason);
  }

  @Post(':id/unhide')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Publish a hidden story again',
    description: 'One audit entry `story.unhide`.',
  })
  @ApiOkResponse({ type: ModeratedStoryDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'Unknown or deleted story' })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'CONFLICT: not hidden' })
  unhide(
    @CurrentUser() admin: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<ModeratedStoryDto> {
    return this.moderation.unhideStory(admin, id);
  }
}
