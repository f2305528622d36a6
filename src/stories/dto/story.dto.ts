import { ApiProperty } from '@nestjs/swagger';
import { MEDIA_STATUSES, MEDIA_TYPES, MediaStatus, MediaType } from '../../media/media-types';
import {
  STORY_CATEGORIES,
  STORY_STATUSES,
  StoryCategory,
  StoryStatus,
} from '../entities/story.entity';

export class StoryRegionRefDto {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
}

export class StoryGuideRefDto {
  @ApiProperty() id: number;
  @ApiProperty() userId: number;
  @ApiProperty() nickname: string;
  @ApiProperty({ type: String, nullable: true }) profileImageUrl: string | null;
  @ApiProperty() averageRating: number;
}

/** A story in lists (docs/api.md, Stories and media "Story summary"). */
export class StorySummaryDto {
  @ApiProperty() id: number;
  @ApiProperty() title: string;
  @ApiProperty({ description: 'The start of the content, at most 120 characters' })
  excerpt: string;
  @ApiProperty({ enum: STORY_CATEGORIES }) category: StoryCategory;
  @ApiProperty({ type: [String] }) tags: string[];
  @ApiProperty({ type: StoryRegionRefDto }) region: StoryRegionRefDto;
  @ApiProperty({ type: StoryGuideRefDto }) guide: StoryGuideRefDto;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The thumbnail of the first media that is `ready`',
  })
  thumbnailUrl: string | null;
  @ApiProperty() mediaCount: number;
  @ApiProperty() likeCount: number;
  @ApiProperty() commentCount: number;
  @ApiProperty() bookmarkCount: number;
  @ApiProperty() viewCount: number;
  @ApiProperty({ description: 'A matching request on this story was accepted' })
  isMatched: boolean;
  @ApiProperty() createdAt: string;
  @ApiProperty({ description: 'False when no token is sent' }) likedByMe: boolean;
  @ApiProperty({ description: 'False when no token is sent' }) bookmarkedByMe: boolean;
}

export class MediaDto {
  @ApiProperty() id: number;
  @ApiProperty({ enum: MEDIA_TYPES }) type: MediaType;
  @ApiProperty({
    enum: MEDIA_STATUSES,
    description:
      'Images are `ready` at once. A video is `processing` until its metadata is stripped and ' +
      "its thumbnail made (then `media:ready` reaches the owner's sockets), then `ready`, or " +
      '`failed` when that was not possible.',
  })
  status: MediaStatus;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Null until the media is `ready`: nothing of a video is served before then',
  })
  url: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Null until `ready`, and for a video no frame could be read from',
  })
  thumbnailUrl: string | null;
  @ApiProperty() mimeType: string;
  @ApiProperty({ description: 'Bytes' }) size: number;
  @ApiProperty({ type: Number, nullable: true }) width: number | null;
  @ApiProperty({ type: Number, nullable: true }) height: number | null;
  @ApiProperty({ type: Number, nullable: true }) durationSec: number | null;
  @ApiProperty() order: number;
}

/** One story with its content and media (docs/api.md, Stories and media "Story detail"). */
export class StoryDetailDto extends StorySummaryDto {
  @ApiProperty() content: string;
  @ApiProperty({ enum: STORY_STATUSES }) status: StoryStatus;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ type: [MediaDto] }) media: MediaDto[];
}
