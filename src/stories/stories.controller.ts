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
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Authenticated, PublicRoute } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
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
import { ApiErrors, type DocumentedError } from '../common/decorators/api-errors.decorator';

const StorySummaryPage = PageOf(StorySummaryDto);

const STORY_NOT_FOUND = { code: 'NOT_FOUND', when: 'Story not found' } as const;
const NOT_AUTHOR = { code: 'FORBIDDEN', when: 'Only the author can change this story' } as const;

/** What an upload can be refused with (the same for a new story and added media). */
const MEDIA_ERRORS: DocumentedError[] = [
  {
    code: 'VALIDATION_FAILED',
    when: 'At most 10 files may be sent in field "media" (and a story holds 10 media at most)',
    field: 'media',
  },
  { code: 'REQUEST_TIMEOUT', when: 'The upload sent no data for 30 s (UPLOAD_STALL_TIMEOUT_MS)' },
  { code: 'PAYLOAD_TOO_LARGE', when: 'File 1 (big.jpg) is larger than 10 MB (MAX_IMAGE_BYTES)' },
  {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    when: 'File 1 (notes.pdf) is not a JPEG/PNG/WebP/HEIC image or an MP4/MOV/WebM video',
  },
  {
    code: 'RATE_LIMITED',
    when: 'More than 3 uploads at once (UPLOADS_PER_USER), or too many writes: see Retry-After',
  },
  {
    code: 'SERVICE_UNAVAILABLE',
    when: 'Videos cannot be processed by this server right now (no ffmpeg); photos still can',
  },
];

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
  @ApiErrors(
    { code: 'GUIDE_REQUIRED', when: 'Only approved guides may do this; apply first' },
    ...MEDIA_ERRORS,
  )
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
  @ApiErrors(STORY_NOT_FOUND)
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
  @ApiErrors(
    NOT_AUTHOR,
    { code: 'GUIDE_REQUIRED', when: 'Your guide profile is suspended: you cannot publish or edit' },
    STORY_NOT_FOUND,
  )
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
  @ApiErrors(
    { code: 'FORBIDDEN', when: 'Only the author or an admin can delete this story' },
    STORY_NOT_FOUND,
  )
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
  @ApiErrors(
    NOT_AUTHOR,
    { code: 'GUIDE_REQUIRED', when: 'Your guide profile is suspended: you cannot publish or edit' },
    STORY_NOT_FOUND,
    ...MEDIA_ERRORS,
  )
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
  @ApiErrors(
    NOT_AUTHOR,
    { code: 'GUIDE_REQUIRED', when: 'Your guide profile is suspended: you cannot publish or edit' },
    { code: 'NOT_FOUND', when: 'Media not found' },
  )
  async removeMedia(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Param('mediaId', ParseIdPipe) mediaId: number,
  ) {
    await this.stories.removeMedia(user, id, mediaId);
  }
}
