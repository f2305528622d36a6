import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { AdminModerationService } from './admin-moderation.service';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

@ApiTags('admin')
@Controller('admin/comments')
@Authenticated('admin')
export class AdminCommentsController {
  constructor(private readonly moderation: AdminModerationService) {}

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a comment (soft)',
    description:
      'The content is blanked, replies stay. Someone else’s comment: one audit entry ' +
      '`comment.delete`, and its author gets CONTENT_HIDDEN. An already deleted comment: 204, ' +
      'nothing changes.',
  })
  @ApiNoContentResponse()
  @ApiErrors({ code: 'NOT_FOUND', when: 'Comment not found' })
  async remove(@CurrentUser() admin: AuthUser, @Param('id', ParseIdPipe) id: number) {
    await this.moderation.deleteComment(admin, id);
  }
}
