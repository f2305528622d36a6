import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { Page, PageOf } from '../common/pagination/cursor';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { ListNotificationsQueryDto, NotificationDto, UnreadCountDto } from './dto/notification.dto';
import { NotificationsService } from './notifications.service';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

const NotificationPage = PageOf(NotificationDto);

@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'My notifications, newest first',
    description:
      'Paged with `cursor` (stable while new notifications arrive). `unreadOnly=true` lists ' +
      'only those not read yet. Each new notification is also pushed as `notification:new` ' +
      '(the same object) to the user’s sockets on the `/chat` namespace. Who is notified: ' +
      'MATCHING_REQUESTED the guide; MATCHING_ACCEPTED / _REJECTED the traveller; ' +
      'MATCHING_CANCELLED / _COMPLETED the other participant; REVIEW_CREATED the guide; ' +
      'COMMENT_CREATED the story’s owner (for comments and for replies, unless the owner wrote ' +
      'the parent comment); COMMENT_REPLIED the parent comment’s author; GUIDE_APPROVED / ' +
      '_REJECTED the applicant; CONTENT_HIDDEN the author. Nobody is notified of what they ' +
      'did themselves.',
  })
  @ApiOkResponse({ type: NotificationPage })
  list(
    @CurrentUser() user: AuthUser,
    @Query() query: ListNotificationsQueryDto,
  ): Promise<Page<NotificationDto>> {
    return this.notifications.list(user, query);
  }

  @Get('unread-count')
  @Authenticated()
  @ApiOperation({ summary: 'How many of my notifications are not read yet' })
  @ApiOkResponse({ type: UnreadCountDto })
  async unreadCount(@CurrentUser() user: AuthUser): Promise<UnreadCountDto> {
    return { count: await this.notifications.unreadCount(user) };
  }

  @Post('read-all')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Mark all my notifications read',
    description: 'Those already read keep their `readAt`.',
  })
  @ApiNoContentResponse()
  async markAllRead(@CurrentUser() user: AuthUser): Promise<void> {
    await this.notifications.markAllRead(user);
  }

  @Post(':id/read')
  @Authenticated()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Mark one of my notifications read',
    description:
      'Idempotent: `readAt` is set the first time only. Someone else’s notification → 404.',
  })
  @ApiNoContentResponse()
  @ApiErrors({ code: 'NOT_FOUND', when: 'Notification not found' })
  async markRead(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<void> {
    await this.notifications.markRead(user, id);
  }
}
