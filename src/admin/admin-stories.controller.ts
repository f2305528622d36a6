import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { AdminModerationService } from './admin-moderation.service';
import { HideStoryDto, ModeratedStoryDto } from './dto/admin-moderation.dto';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

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
  @ApiErrors(
    { code: 'NOT_FOUND', when: 'Story not found (or deleted)' },
    { code: 'CONFLICT', when: 'Only published stories can be changed so; this one is hidden' },
  )
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
  @ApiErrors(
    { code: 'NOT_FOUND', when: 'Story not found (or deleted)' },
    { code: 'CONFLICT', when: 'Only hidden stories can be changed so; this one is published' },
  )
  unhide(
    @CurrentUser() admin: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<ModeratedStoryDto> {
    return this.moderation.unhideStory(admin, id);
  }
}
