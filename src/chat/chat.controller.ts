import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiBodyExample } from '../common/decorators/api-body-example.decorator';
import { Authenticated, RateLimit } from '../common/decorators/auth.decorator';
import { AuthUser, CurrentUser } from '../common/decorators/current-user.decorator';
import { Page, PageOf, PageQueryDto } from '../common/pagination/cursor';
import { ParseIdPipe } from '../common/validation/parse-id.pipe';
import { ChatService } from './chat.service';
import {
  ChatMessageDto,
  ChatRoomDto,
  ReadMessagesDto,
  ReadStateDto,
  SEND_MESSAGE_EXAMPLE,
  SendMessageDto,
} from './dto/chat.dto';
import { ApiErrors } from '../common/decorators/api-errors.decorator';

const RoomPage = PageOf(ChatRoomDto);
const MessagePage = PageOf(ChatMessageDto);

const ROOM_NOT_FOUND = {
  code: 'NOT_FOUND',
  when: 'Chat room not found (or the caller is not one of its members)',
} as const;

@ApiTags('chat')
@Controller('chat/rooms')
@Authenticated()
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  @Get()
  @ApiOperation({
    summary: 'My chat rooms, most recent activity first',
    description:
      'Activity is the last message, or the close of the room when its matching request was ' +
      'cancelled (`closed: true`, read-only). `unreadCount` counts messages from the peer ' +
      'newer than my read position.',
  })
  @ApiOkResponse({ type: RoomPage })
  listRooms(
    @CurrentUser() user: AuthUser,
    @Query() query: PageQueryDto,
  ): Promise<Page<ChatRoomDto>> {
    return this.chat.listRooms(user, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of my chat rooms' })
  @ApiOkResponse({ type: ChatRoomDto })
  @ApiErrors(ROOM_NOT_FOUND)
  getRoom(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<ChatRoomDto> {
    return this.chat.getRoom(user, id);
  }

  @Get(':id/messages')
  @ApiOperation({
    summary: 'Messages of a room, newest first',
    description: '`nextCursor` pages to older messages; pages stay stable while new ones arrive.',
  })
  @ApiOkResponse({ type: MessagePage })
  @ApiErrors(ROOM_NOT_FOUND)
  listMessages(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Query() query: PageQueryDto,
  ): Promise<Page<ChatMessageDto>> {
    return this.chat.listMessages(user, id, query);
  }

  @Post(':id/messages')
  @RateLimit('chat')
  @ApiOperation({
    summary: 'Send a message (REST fallback of the socket event `message:send`)',
    description:
      'Stored first, then pushed as `message:new` to every socket in the room. Sending the ' +
      'same `clientMessageId` again (a retry) answers the first message with 200 and stores ' +
      'nothing. A room whose matching request was cancelled answers 403 CHAT_ROOM_CLOSED; one ' +
      'whose members are kept apart by a block (either way) answers 403 USER_BLOCKED. ' +
      'Counts against the chat rate limit shared with the socket.',
  })
  @ApiCreatedResponse({ type: ChatMessageDto, description: 'Stored' })
  @ApiOkResponse({ type: ChatMessageDto, description: 'A retry: the message stored first' })
  @ApiErrors(
    {
      code: 'CHAT_ROOM_CLOSED',
      when: 'This chat room is closed: the matching request was cancelled',
    },
    { code: 'USER_BLOCKED', when: 'One of you blocked the other: this chat is read-only' },
    ROOM_NOT_FOUND,
  )
  @ApiBodyExample(SendMessageDto, { content: SEND_MESSAGE_EXAMPLE }, 'A text message')
  async sendMessage(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: SendMessageDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ChatMessageDto> {
    const sent = await this.chat.sendMessage(user, id, dto);
    res.status(sent.created ? HttpStatus.CREATED : HttpStatus.OK);
    return sent.message;
  }

  @Post(':id/read')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Move my read position forward',
    description:
      '`messageId` must be a message of this room (else 404). The position never moves back: ' +
      'an older id changes nothing. Answers my read state after the call; when the position ' +
      'moved, the peer’s sockets in the room get `message:read`.',
  })
  @ApiOkResponse({ type: ReadStateDto })
  @ApiErrors(ROOM_NOT_FOUND)
  markRead(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: ReadMessagesDto,
  ): Promise<ReadStateDto> {
    return this.chat.markRead(user, id, dto.messageId);
  }
}
