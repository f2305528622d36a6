import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { CharLength, Trim, MultiLine } from '../../common/validation/validation';
import {
  CHAT_MESSAGE_TYPES,
  type ChatMessage,
  type ChatMessageType,
  MAX_CLIENT_MESSAGE_ID_LENGTH,
  MAX_MESSAGE_LENGTH,
} from '../entities/chat-message.entity';
import { ID_SCHEMA, IsId } from '../../common/validation/id';

export const SEND_MESSAGE_EXAMPLE = 'Hello! Shall we meet at the harbour at 10?';

/** Body of `POST /chat/rooms/:id/messages`. */
export class SendMessageDto {
  @ApiProperty({
    minLength: 1,
    maxLength: MAX_MESSAGE_LENGTH,
    description: 'Trimmed first',
    example: SEND_MESSAGE_EXAMPLE,
  })
  @Trim()
  @IsString()
  @CharLength(1, MAX_MESSAGE_LENGTH)
  @MultiLine()
  content: string;

  @ApiPropertyOptional({
    maxLength: MAX_CLIENT_MESSAGE_ID_LENGTH,
    example: '0b7e3f2a-5c1d-4e8f-9a6b-2d4c8e1f3a5b',
    description:
      'Chosen by the client (e.g. a UUID) to make retries safe: the same value from the same ' +
      'sender in the same room answers the first message (200) instead of storing it again',
  })
  @IsOptional()
  @IsString()
  @CharLength(1, MAX_CLIENT_MESSAGE_ID_LENGTH)
  clientMessageId?: string;
}

/** Body of `POST /chat/rooms/:id/read`. */
export class ReadMessagesDto {
  @ApiProperty({
    ...ID_SCHEMA,
    description: 'The newest message the caller has seen (a message of this room)',
  })
  @IsId()
  messageId: number;
}

/** Socket payloads: the room id travels in the payload instead of the path. */
export class RoomRefPayload {
  @IsId()
  roomId: number;
}

export class SendMessagePayload extends SendMessageDto {
  @IsId()
  roomId: number;
}

export class TypingPayload {
  @IsId()
  roomId: number;

  @IsBoolean()
  isTyping: boolean;
}

export class ReadMessagesPayload extends ReadMessagesDto {
  @IsId()
  roomId: number;
}

export class ChatMessageDto {
  @ApiProperty() id: number;
  @ApiProperty() roomId: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Null for system messages' })
  senderId: number | null;
  @ApiProperty({ enum: CHAT_MESSAGE_TYPES }) type: ChatMessageType;
  @ApiProperty() content: string;
  @ApiProperty({ type: String, nullable: true }) clientMessageId: string | null;
  @ApiProperty() createdAt: string;

  static from(m: ChatMessage): ChatMessageDto {
    return {
      id: m.id,
      roomId: m.roomId,
      senderId: m.senderId,
      type: m.type,
      content: m.content,
      clientMessageId: m.clientMessageId,
      createdAt: m.createdAt.toISOString(),
    };
  }
}

export class ChatRoomStoryDto {
  @ApiProperty() id: number;
  @ApiProperty() title: string;
  @ApiProperty({ type: String, nullable: true }) thumbnailUrl: string | null;
}

export class ChatPeerDto {
  @ApiProperty() id: number;
  @ApiProperty() nickname: string;
  @ApiProperty({ type: String, nullable: true }) profileImageUrl: string | null;
}

export class ChatRoomDto {
  @ApiProperty() id: number;
  @ApiProperty() matchingRequestId: number;
  @ApiProperty({ type: ChatRoomStoryDto }) story: ChatRoomStoryDto;
  @ApiProperty({ type: ChatPeerDto, description: 'The other member' }) peer: ChatPeerDto;
  @ApiProperty({ type: ChatMessageDto, nullable: true }) lastMessage: ChatMessageDto | null;
  @ApiProperty({ description: "Messages from the peer newer than the caller's read position" })
  unreadCount: number;
  @ApiProperty({ description: 'True once the matching request was cancelled: read-only' })
  closed: boolean;
  @ApiProperty({ description: 'Time of the last activity (message or close)' })
  updatedAt: string;
}

/** Answer of `POST /chat/rooms/:id/read`: the caller's read state after the call. */
export class ReadStateDto {
  @ApiProperty() roomId: number;
  @ApiProperty({ type: Number, nullable: true }) lastReadMessageId: number | null;
  @ApiProperty() unreadCount: number;
}
