import { AuditLog } from '../audit/entities/audit-log.entity';
import { RefreshToken } from '../auth/entities/refresh-token.entity';
import { ChatMessage } from '../chat/entities/chat-message.entity';
import { ChatRoomMember } from '../chat/entities/chat-room-member.entity';
import { ChatRoom } from '../chat/entities/chat-room.entity';
import { Guide } from '../guides/entities/guide.entity';
import { MatchingRequest } from '../matching/entities/matching-request.entity';
import { Review } from '../matching/entities/review.entity';
import { StoryMedia } from '../stories/entities/story-media.entity';
import { Device } from '../notifications/entities/device.entity';
import { NotificationSettings } from '../notifications/entities/notification-settings.entity';
import { Notification } from '../notifications/entities/notification.entity';
import { Region } from '../regions/entities/region.entity';
import { Report } from '../reports/entities/report.entity';
import { Comment } from '../stories/entities/comment.entity';
import { StoryBookmark } from '../stories/entities/story-bookmark.entity';
import { StoryLike } from '../stories/entities/story-like.entity';
import { StoryTag } from '../stories/entities/story-tag.entity';
import { StoryView } from '../stories/entities/story-view.entity';
import { Story } from '../stories/entities/story.entity';
import { Block } from '../users/entities/block.entity';
import { User } from '../users/entities/user.entity';

/** Every entity of the schema; migrations are generated from this list. */
export const ENTITIES = [
  User,
  Block,
  RefreshToken,
  Region,
  Guide,
  Story,
  StoryTag,
  StoryLike,
  StoryBookmark,
  StoryView,
  Comment,
  StoryMedia,
  AuditLog,
  MatchingRequest,
  Review,
  Notification,
  Device,
  NotificationSettings,
  ChatRoom,
  ChatRoomMember,
  ChatMessage,
  Report,
];
