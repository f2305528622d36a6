import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiBodyExample } from '../common/decorators/api-body-example.decorator';
import { Authenticated, PublicRoute } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { Page, PageOf } from '../common/pagination/cursor';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { CommentsService } from './comments.service';
import {
  COMMENT_EXAMPLE,
  CommentDto,
  CreateCommentDto,
  ListCommentsQueryDto,
  UpdateCommentDto,
} from './dto/comment.dto';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

const CommentPage = PageOf(CommentDto);

@ApiTags('stories')
@Controller()
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  @Get('stories/:id/comments')
  @PublicRoute()
  @ApiOperation({
    summary: "A story's comments, oldest first",
    description:
      'Without `parentId`: the top-level comments of the story. With `?parentId=<comment id>`: ' +
      'the replies to that top-level comment (one level of replies only; `replyCount` of a ' +
      'comment says how many there are). Both lists are oldest first and paged with `cursor`. ' +
      'Deleted comments stay in the list with `deleted: true` and empty `content`, so replies ' +
      'keep their place. 404 for stories the caller cannot see, and for a `parentId` that is ' +
      'not a top-level comment of this story.',
  })
  @ApiOkResponse({ type: CommentPage })
  @ApiErrors({ code: 'NOT_FOUND', when: 'Story not found' })
  list(
    @CurrentUser() viewer: AuthUser | undefined,
    @Param('id', ParseIdPipe) id: number,
    @Query() query: ListCommentsQueryDto,
  ): Promise<Page<CommentDto>> {
    return this.comments.list(viewer, id, query);
  }

  @Post('stories/:id/comments')
  @Authenticated()
  @ApiOperation({
    summary: 'Comment on a story, or reply to a comment',
    description:
      'The story’s `commentCount` (comments and replies that are not deleted) and, for a ' +
      'reply, the parent’s `replyCount` go up by one. A reply’s `parentId` must be a ' +
      'top-level comment of the same story that is not deleted, else 400 VALIDATION_FAILED.',
  })
  @ApiCreatedResponse({ type: CommentDto })
  @ApiErrors(
    {
      code: 'VALIDATION_FAILED',
      when: 'parentId must be a top-level comment of this story that is not deleted',
      field: 'parentId',
    },
    { code: 'NOT_FOUND', when: 'Story not found' },
  )
  @ApiBodyExample(CreateCommentDto, { content: COMMENT_EXAMPLE }, 'A top-level comment')
  create(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: CreateCommentDto,
  ): Promise<CommentDto> {
    return this.comments.create(user, id, dto);
  }

  @Patch('comments/:id')
  @Authenticated()
  @ApiOperation({
    summary: 'Edit my comment',
    description:
      'Only its author (others: 403 FORBIDDEN). Deleted comments, and comments on stories ' +
      'the caller cannot see, are 404.',
  })
  @ApiOkResponse({ type: CommentDto })
  @ApiErrors(
    { code: 'FORBIDDEN', when: 'Only the author may edit a comment' },
    { code: 'NOT_FOUND', when: 'Comment not found' },
  )
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateCommentDto,
  ): Promise<CommentDto> {
    return this.comments.update(user, id, dto);
  }

  @Delete('comments/:id')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a comment (its author, the story’s owner or an admin)',
    description:
      'Soft delete: the comment stays in lists with `deleted: true` and empty `content`; its ' +
      'replies are kept. Counters go down exactly once; deleting a deleted comment again is ' +
      'a 204 that changes nothing. Others get 403 FORBIDDEN, or 404 when they cannot see the ' +
      'story.',
  })
  @ApiNoContentResponse()
  @ApiErrors(
    {
      code: 'FORBIDDEN',
      when: "Only the author, the story's owner or an admin may delete a comment",
    },
    { code: 'NOT_FOUND', when: 'Comment not found' },
  )
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number) {
    await this.comments.remove(user, id);
  }
}
