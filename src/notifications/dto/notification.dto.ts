import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/cursor';
import type { Notification, NotificationData } from '../entities/notification.entity';
import { NOTIFICATION_TYPES, type NotificationType } from '../notification-types';

export class ListNotificationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: '`true`: only notifications not read yet',
  })
  @IsOptional()
  // a query string is text: only the words true and false are booleans, anything else is a 400
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean()
  unreadOnly?: boolean;
}

export class NotificationDto {
  @ApiProperty() id: number;

  @ApiProperty({ enum: NOTIFICATION_TYPES, enumName: 'NotificationType' })
  type: NotificationType;

  @ApiProperty({ example: '새 매칭 요청' }) title: string;

  @ApiProperty({ example: '여행자님이 "제주 오름 투어" 스토리에 매칭을 요청했어요.' })
  body: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { requestId: 12, storyId: 3, chatRoomId: null },
    description:
      'Ids of what the notification is about, by type: MATCHING_* `{ requestId, storyId, ' +
      'chatRoomId }`; COMMENT_CREATED / COMMENT_REPLIED `{ storyId, commentId, parentId }`; ' +
      'REVIEW_CREATED `{ reviewId, requestId, guideId }`; GUIDE_APPROVED / GUIDE_REJECTED ' +
      '`{ guideId }`; CONTENT_HIDDEN `{ targetType: "story"|"comment", targetId }`',
  })
  data: NotificationData;

  @ApiProperty({ type: String, nullable: true, description: 'When it was first marked read' })
  readAt: string | null;

  @ApiProperty() createdAt: string;

  static from(n: Notification): NotificationDto {
    return {
      id: n.id,
      type: n.type,
      title: n.title,
      body: n.body,
      data: n.data,
      readAt: n.readAt?.toISOString() ?? null,
      createdAt: n.createdAt.toISOString(),
    };
  }
}

export class UnreadCountDto {
  @ApiProperty({ example: 3 }) count: number;
}
