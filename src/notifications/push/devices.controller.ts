import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Put } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiBodyExample } from '../../common/decorators/api-body-example.decorator';
import { Authenticated } from '../../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../../common/decorators/current-user.decorator';
import { DeviceTokenParamDto, RegisterDeviceDto } from './dto/device.dto';
import {
  NotificationSettingsDto,
  UpdateNotificationSettingsDto,
} from './dto/notification-settings.dto';
import { DevicesService, MAX_DEVICES_PER_USER } from './devices.service';
import { NotificationSettingsService } from './notification-settings.service';

const WHAT_IS_PUSHED =
  'What is pushed (FCM, docs/api.md, Push and devices): every stored notification of a category that is on, and ' +
  'every chat message to a member with no socket connected at that moment (category `chat`, ' +
  'the text cut to 100 characters, one room’s pushes collapsing into one: Android ' +
  '`collapse_key` and APNs `apns-collapse-id` = the room id). Each push has `data` with ' +
  '`type` (a notification type, or `CHAT_MESSAGE`), `title`, `body` and the ids: ' +
  '`notificationId` and the notification’s own ids, or `roomId`, `messageId`, `senderId`. ' +
  'During quiet hours a push is data only (no alert, no sound).';

@ApiTags('notifications')
@Controller('users/me')
export class DevicesController {
  constructor(
    private readonly devices: DevicesService,
    private readonly settings: NotificationSettingsService,
  ) {}

  @Put('devices')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Register this app installation for pushes',
    description:
      'Call it at every app start and whenever the Firebase SDK hands out a new token. Upsert ' +
      'by token: platform and locale are replaced (a left-out locale is cleared) and the ' +
      'device counts as seen now. A token registered by another user moves to the caller ' +
      `(a shared phone, a new sign-in). At most ${MAX_DEVICES_PER_USER} devices per user: ` +
      'registering one more drops the least recently seen. Call DELETE on sign-out. ' +
      WHAT_IS_PUSHED,
  })
  @ApiBodyExample(
    RegisterDeviceDto,
    {
      token: 'dGVzdC1kZXZpY2U6QVBBOTFiSDEyMzQ1Njc4OTBhYmNkZWY',
      platform: 'android',
      locale: 'ko-KR',
    },
    'An Android phone',
  )
  @ApiNoContentResponse()
  async register(@CurrentUser() user: AuthUser, @Body() dto: RegisterDeviceDto): Promise<void> {
    await this.devices.register(user, dto);
  }

  @Delete('devices/:token')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Stop pushes to this app installation',
    description:
      'The token URL-encoded in the path. Only the caller’s own token is removed; an unknown ' +
      'token, or another user’s, changes nothing (still 204).',
  })
  @ApiNoContentResponse()
  async unregister(
    @CurrentUser() user: AuthUser,
    @Param() params: DeviceTokenParamDto,
  ): Promise<void> {
    await this.devices.unregister(user, params.token);
  }

  @Get('notification-settings')
  @Authenticated()
  @ApiOperation({
    summary: 'My push settings',
    description:
      'Every category is on and there are no quiet hours until changed. ' + WHAT_IS_PUSHED,
  })
  @ApiOkResponse({ type: NotificationSettingsDto })
  getSettings(@CurrentUser() user: AuthUser): Promise<NotificationSettingsDto> {
    return this.settings.get(user);
  }

  @Patch('notification-settings')
  @Authenticated()
  @ApiOperation({
    summary: 'Change my push settings',
    description:
      'Any part: single categories under `push` (the others stay), and `quietHours` as a ' +
      'whole (`start` and `end` as HH:mm local time in the IANA `timeZone`; an end earlier ' +
      'than the start runs over midnight; start and end must differ) or null for none. ' +
      'Answers all the settings. Stored notifications are not affected: they are all in ' +
      'GET /notifications.',
  })
  @ApiBodyExample(
    UpdateNotificationSettingsDto,
    {
      push: { comments: false },
      quietHours: { start: '22:00', end: '07:00', timeZone: 'Asia/Seoul' },
    },
    'No comment pushes; quiet at night in Korea',
  )
  @ApiOkResponse({ type: NotificationSettingsDto })
  updateSettings(
    @CurrentUser() user: AuthUser,
    @Body() dto: UpdateNotificationSettingsDto,
  ): Promise<NotificationSettingsDto> {
    return this.settings.update(user, dto);
  }
}
