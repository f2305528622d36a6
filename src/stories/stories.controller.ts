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
  Req,
  UploadedFiles,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiRequestTimeoutResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Authenticated, PublicRoute } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { ErrorBodyDto } from '../common/errors/error-body.dto';
import { PageOf } from '../common/pagination/cursor';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { mediaUploadInterceptor } from '../media/media-upload.interceptor';
import { ListStoriesQueryDto } from './dto/list-stories.query';
import {
  AddMediaMultipartDto,
  CreateStoryDto,
  CreateStoryMultipartDto,
  UpdateStoryDto,
} from './dto/story-input.dto';
import { StoryDetailDto, StorySummaryDto } from './dto/story.dto';
import { StoriesService, viewerKey } from './stories.service';
import { StoryUploadGuard } from './story-upload.guard';

const StorySummaryPage = PageOf(StorySummaryDto);

const MEDIA_ERRORS = [
  ApiPayloadTooLargeResponse({ type: ErrorBodyDto, description: 'PAYLOAD_TOO_LARGE' }),
  ApiUnsupportedMediaTypeResponse({
    type: ErrorBodyDto,
    description: 'UNSUPPORTED_MEDIA_TYPE: not a JPEG/PNG/WebP/HEIC image or MP4/MOV/WebM video',
  }),
  ApiRequestTimeoutResponse({
    type: ErrorBodyDto,
    description: 'REQUEST_TIMEOUT: the upload sent no data for UPLOAD_STALL_TIMEOUT_MS',
  }),
  ApiTooManyRequestsResponse({
    type: ErrorBodyDto,
    description:
      'RATE_LIMITED, see Retry-After: more than UPLOADS_PER_USER uploads at once, or too many writes',
  }),
];

function applyAll(decorators: MethodDecorator[]): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of decorators) d(target, key, descriptor);
  };
}

@ApiTags('stories')
@Controller('stories')
export class StoriesController {
  constructor(private readonly stories: StoriesService) {}

  @Post()
  @Authenticated()
  @UseGuards(StoryUploadGuard)
  @UseInterceptors(mediaUploadInterceptor())
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({ type: CreateStoryMultipartDto })
  @ApiOperation({
    summary: 'Publish a story (approved guides)',
    description:
      'multipart/form-data with up to 10 files in field `media`, or plain JSON without files. ' +
      'Tags: a repeated field or one comma separated value. 403 GUIDE_REQUIRED for callers ' +
      'who are not approved guides.',
  })
  @ApiCreatedResponse({ type: StoryDetailDto })
  @applyAll(MEDIA_ERRORS)
  create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateStoryDto,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
  ): Promise<StoryDetailDto> {
    return this.stories.create(user, dto, files ?? []);
  }

  @Get()
  @PublicRoute()
  @ApiOperation({
    summary: 'Browse published stories',
    description: 'Filters combine; `regionId` includes the areas under the region.',
  })
  @ApiOkResponse({ type: StorySummaryPage })
  list(@CurrentUser() viewer: AuthUser | undefined, @Query() query: ListStoriesQueryDto) {
    return this.stories.list(viewer, query);
  }

  @Get(':id')
  @PublicRoute()
  @ApiOperation({
    summary: 'A story with its media',
    description:
      'Counts a view (at most once per viewer per 10 minutes). Hidden and deleted stories are ' +
      '404 except to their author and admins.',
  })
  @ApiOkResponse({ type: StoryDetailDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async detail(
    @CurrentUser() viewer: AuthUser | undefined,
    @Param('id', ParseIdPipe) id: number,
    @Req() req: Request,
  ): Promise<StoryDetailDto> {
    return this.stories.view(viewer, id, viewerKey(viewer, req.ip));
  }

  @Patch(':id')
  @Authenticated()
  @ApiOperation({ summary: 'Edit a story (its author)', description: 'Tags given replace all.' })
  @ApiOkResponse({ type: StoryDetailDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: UpdateStoryDto,
  ): Promise<StoryDetailDto> {
    return this.stories.update(user, id, dto);
  }

  @Delete(':id')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a story (its author or an admin)',
    description: 'Soft delete; its media files are removed from storage.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number) {
    await this.stories.remove(user, id);
  }

  @Post(':id/media')
  @Authenticated()
  @UseGuards(StoryUploadGuard)
  @UseInterceptors(mediaUploadInterceptor())
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: AddMediaMultipartDto })
  @ApiOperation({ summary: 'Add photos or videos to a story (its author; 10 at most in all)' })
  @ApiCreatedResponse({ type: StoryDetailDto })
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  @applyAll(MEDIA_ERRORS)
  addMedia(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
  ): Promise<StoryDetailDto> {
    return this.stories.addMedia(user, id, files ?? []);
  }

  @Delete(':id/media/:mediaId')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove one photo or video (its author); its files are deleted' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorBodyDto })
  async removeMedia(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Param('mediaId', ParseIdPipe) mediaId: number,
  ) {
    await this.stories.removeMedia(user, id, mediaId);
  }
}
